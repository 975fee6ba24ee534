import pytest
from django.utils import timezone

from dateline.articles.models import Story
from dateline.desk import services
from dateline.desk.models import AuditEntry, DeskEntry, Rule

pytestmark = pytest.mark.django_db(transaction=True)


def entry_of(guid):
    return DeskEntry.objects.select_related("item", "story").get(guid=f"urn:afp.example:{guid}")


class PoolEntryTests:
    def test_ingest_creates_one_entry_per_story(self, deliver):
        """Each agency story gets one desk entry; a new version moves it, not duplicates it."""
        deliver("a")
        deliver("a", version=2, headline="Harbour drones tested again")
        entry = entry_of("a")
        assert DeskEntry.objects.count() == 1
        assert entry.item.version == 2 and entry.status == "new" and entry.routed

    @pytest.mark.parametrize("with_rule", [False, True])
    def test_kill_of_unpublished_item_marks_it_killed(self, deliver, sections, with_rule):
        """An agency kill marks the entry killed and logs it, whether routing has rules
        to apply (every entry read whole) or none (only kills and updates read whole)."""
        if with_rule:
            Rule.objects.create(name="none", keywords="zeppelin", section=sections["drones"])
        deliver("k")
        deliver("k2")
        deliver("k", version=2, pubstatus="canceled")
        assert entry_of("k").status == "killed" and entry_of("k2").status == "new"
        assert entry_of("k").routed and entry_of("k2").routed
        assert AuditEntry.objects.filter(action="kill").count() == 1

    def test_story_killed_on_first_arrival_is_routed_without_rules(self, deliver):
        """With no rule and no model, a new story is routed as it arrives, but one that
        arrives already killed still goes through routing and is marked killed."""
        deliver("live")
        deliver("dead", pubstatus="canceled")
        assert entry_of("live").status == "new" and entry_of("live").routed
        assert entry_of("dead").status == "killed" and entry_of("dead").routed
        assert AuditEntry.objects.filter(action="kill").count() == 1


class RuleTests:
    def test_first_matching_rule_suggests(self, deliver, sections, source):
        """Rules run on ingest in order; the first whose conditions all hold suggests."""
        Rule.objects.create(
            name="boats", order=1, keywords="submarine", section=sections["missiles"]
        )
        Rule.objects.create(name="drones", order=2, keywords="unmanned boats\nuav",
                            urgency_at_most=5, section=sections["drones"])  # fmt: skip
        deliver("r1")
        entry = entry_of("r1")
        assert entry.rule.name == "drones" and entry.suggested_section == sections["drones"]
        assert entry.status == "new"

    def test_conditions_must_all_hold(self, deliver, sections, source):
        """Urgency, subject and source conditions each narrow a rule."""
        rule = Rule.objects.create(name="urgent", urgency_at_most=2, keywords="harbour",
                                   section=sections["drones"])  # fmt: skip
        deliver("low", urgency=6)
        assert entry_of("low").rule is None
        deliver("high", urgency=1)
        assert entry_of("high").rule == rule
        subject_rule = Rule.objects.create(name="subj", order=0, subjects="medtop:11000000",
                                           section=sections["missiles"])  # fmt: skip
        deliver("subj", subjects=["medtop:11000000"])
        assert entry_of("subj").rule == subject_rule

    def test_auto_publish_respects_daily_cap(self, deliver, sections, source):
        """A trusted feed's rule publishes at once, at most daily_cap a day, then leaves
        items to the desk and says so."""
        Rule.objects.create(name="trusted", keywords="harbour", section=sections["drones"],
                            auto_publish=True, daily_cap=2)  # fmt: skip
        for guid in ("t1", "t2", "t3"):
            deliver(guid, headline=f"Harbour story {guid}")
        statuses = [entry_of(g).status for g in ("t1", "t2", "t3")]
        assert statuses == ["published", "published", "new"]
        story = entry_of("t1").story
        assert story.status == Story.Status.PUBLISHED
        assert story.placements.get().section == sections["drones"]
        assert AuditEntry.objects.filter(actor="rule: trusted", action="publish").count() == 2
        assert AuditEntry.objects.filter(actor="rule: trusted", action="cap_reached").count() == 1

    def test_auto_publish_of_embargoed_item_schedules_it(self, deliver, sections, source):
        """An embargoed item from a trusted feed is scheduled for the embargo's end."""
        Rule.objects.create(name="trusted", keywords="harbour", section=sections["drones"],
                            auto_publish=True)  # fmt: skip
        later = (timezone.now() + timezone.timedelta(hours=3)).replace(microsecond=0)
        deliver("e", embargoed=later.isoformat())
        story = entry_of("e").story
        assert story.status == Story.Status.SCHEDULED and story.published_at == later


class WireUpdateTests:
    def test_update_of_unedited_story_updates_the_article(self, deliver, sections, client):
        """A new version of a published, unedited item updates the article and says Updated."""
        deliver("u")
        story = services.entry_publish(entry=entry_of("u"), sections=[sections["drones"]])
        deliver("u", version=2, headline="Harbour drones pass sea trials",
                body="The unmanned boats passed their trials.\n\nThe navy will buy twelve.")  # fmt: skip
        story.refresh_from_db()
        assert story.headline == "Harbour drones pass sea trials"
        assert story.updated_at is not None
        page = client.get(story.placements.get().path, HTTP_HOST="spacewar.localhost")
        assert page.status_code == 200
        assert b"The navy will buy twelve." in page.content and b"Updated" in page.content

    def test_update_of_edited_story_waits_with_a_diff(self, deliver, sections):
        """When the desk edited the text, the new version waits; accept applies it,
        ignore keeps the desk's text."""
        deliver("w")
        story = services.entry_publish(
            entry=entry_of("w"), sections=[sections["drones"]], headline="Our own headline"
        )
        deliver("w", version=2, headline="Agency's new headline")
        entry = entry_of("w")
        story.refresh_from_db()
        assert story.headline == "Our own headline"
        assert entry.pending_item is not None and entry.pending_item.version == 2
        services.update_ignore(entry=entry)
        entry.refresh_from_db()
        assert entry.pending_item is None and entry.story_version == 2
        deliver("w", version=3, headline="Agency's third headline")
        services.update_accept(entry=entry_of("w"))
        story.refresh_from_db()
        assert story.headline == "Agency's third headline"

    def test_kill_withdraws_the_article(self, deliver, sections, client):
        """A kill takes the article down: 410 with a notice, gone from the front, logged."""
        deliver("x")
        story = services.entry_publish(entry=entry_of("x"), sections=[sections["drones"]])
        path = story.placements.get().path
        deliver("x", version=2, pubstatus="canceled")
        page = client.get(path, HTTP_HOST="spacewar.localhost")
        assert page.status_code == 410
        assert b"withdrawn by the agency" in page.content
        front = client.get("/drones/", HTTP_HOST="spacewar.localhost")
        assert path.encode() not in front.content
        feed = client.get("/feeds/rss/", HTTP_HOST="spacewar.localhost")
        assert path.encode() not in feed.content
        assert AuditEntry.objects.filter(action="withdraw", story=story, actor="wire kill").exists()
