from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.articles.models import Story
from dateline.articles.tasks import stories_publish_due
from dateline.desk import services
from dateline.desk.models import AuditEntry, DeskEntry

pytestmark = pytest.mark.django_db(transaction=True)


def entry_of(guid):
    return DeskEntry.objects.select_related("item", "story", "source").get(
        guid=f"urn:afp.example:{guid}"
    )


class PublishTests:
    def test_publish_to_sections_of_two_sites_in_one_step(self, deliver, sections, client):
        """One action places the item on several sections of several sites, the first canonical."""
        deliver("p")
        story = services.entry_publish(
            entry=entry_of("p"), sections=[sections["drones"], sections["satellites"]],
            teaser="Our teaser.",
        )  # fmt: skip
        placements = {p.section.slug: p for p in story.placements.select_related("section")}
        assert placements["drones"].is_canonical and not placements["satellites"].is_canonical
        assert story.teaser == "Our teaser." and story.source.slug == "afp"
        war = client.get("/drones/", HTTP_HOST="spacewar.localhost")
        space = client.get(placements["satellites"].path, HTTP_HOST="spacedaily.localhost")
        assert placements["drones"].path.encode() in war.content and space.status_code == 200
        assert entry_of("p").status == "published" and entry_of("p").text_edited
        assert AuditEntry.objects.get(action="publish").detail.startswith("spacewar/drones")

    def test_killed_or_embargoed_items_are_refused(self, deliver, sections):
        """A killed item cannot run; an embargoed one only scheduled after its embargo."""
        deliver("k")
        deliver("k", version=2, pubstatus="canceled")
        with pytest.raises(services.DeskError, match="killed"):
            services.entry_publish(entry=entry_of("k"), sections=[sections["drones"]])
        later = timezone.now() + timedelta(hours=2)
        deliver("e", embargoed=later.isoformat())
        with pytest.raises(services.DeskError, match="embargoed until"):
            services.entry_publish(entry=entry_of("e"), sections=[sections["drones"]])
        story = services.entry_publish(
            entry=entry_of("e"), sections=[sections["drones"]], publish_at=later
        )
        assert story.status == Story.Status.SCHEDULED


class ScheduleTests:
    def test_scheduled_story_goes_live_from_the_worker_task(self, deliver, sections, client):
        """A scheduled story is not public before its time; the worker's task publishes it."""
        deliver("s")
        soon = timezone.now() + timedelta(seconds=1)
        story = services.entry_publish(entry=entry_of("s"), sections=[sections["drones"]],
                                       publish_at=soon)  # fmt: skip
        path = story.placements.get().path
        assert client.get(path, HTTP_HOST="spacewar.localhost").status_code == 404
        Story.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(seconds=1))
        story.placements.update(published_at=timezone.now() - timedelta(seconds=1))
        assert stories_publish_due.call() == 1
        story.refresh_from_db()
        assert story.status == Story.Status.PUBLISHED
        assert (
            client.get(story.placements.get().path, HTTP_HOST="spacewar.localhost").status_code
            == 200
        )


class SpikeTests:
    def test_spike_and_unspike(self, deliver):
        """A spiked item leaves the queue and can come back; both are logged."""
        deliver("sp")
        services.entry_spike(entry=entry_of("sp"))
        assert entry_of("sp").status == "spiked"
        with pytest.raises(services.DeskError):
            services.entry_spike(entry=entry_of("sp"))
        services.entry_unspike(entry=entry_of("sp"))
        assert entry_of("sp").status == "new"
        assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
            "spike", "unspike",
        ]  # fmt: skip


class PinTests:
    def test_pinned_story_leads_the_front(self, deliver, sections, client, war_site):
        """A pinned story is first on its section front and on the home page."""
        deliver("old", headline="Older harbour story")
        old = services.entry_publish(entry=entry_of("old"), sections=[sections["drones"]])
        deliver("new", headline="Newer drone story")
        services.entry_publish(entry=entry_of("new"), sections=[sections["drones"]])
        services.front_pin(story=old, site=war_site, section=sections["drones"])
        services.front_pin(story=old, site=war_site)
        for url in ("/drones/", "/"):
            page = client.get(url, HTTP_HOST="spacewar.localhost").content.decode()
            assert page.index("Older harbour story") < page.index("Newer drone story"), url


class ClusterTests:
    def test_choose_which_item_of_a_cluster_runs(self, deliver, sections, source):
        """Choosing another item of a cluster swaps the text under the same URL."""
        deliver("c1", headline="First agency version of the harbour trial")
        deliver("c2", headline="Second agency version of the harbour trial")
        first, second = entry_of("c1"), entry_of("c2")
        DeskEntry.objects.filter(pk=second.pk).update(cluster_key=first.cluster_key)
        story = services.entry_publish(entry=first, sections=[sections["drones"]])
        path = story.placements.get().path
        services.cluster_choose(entry=entry_of("c2"))
        story.refresh_from_db()
        assert story.headline == "Second agency version of the harbour trial"
        assert story.placements.get().path == path
        assert entry_of("c1").status == "spiked" and entry_of("c2").status == "published"


class EditTests:
    def test_body_nested_past_the_limit_is_refused(self, deliver, sections):
        """A body the desk pastes nested thousands deep is refused with the reason, not
        sanitised for minutes; the story keeps its text."""
        deliver("deep")
        story = services.entry_publish(entry=entry_of("deep"), sections=[sections["drones"]])
        with pytest.raises(services.DeskError, match="more than 200 deep"):
            services.story_edit(story=story, body="<div>" * 5000 + "text")
        story.refresh_from_db()
        assert "<div>" not in story.body

    def test_desk_edit_marks_updated_and_is_audited(self, deliver, sections, make_staff):
        """An edit after publishing shows Updated and names the editor in the audit log."""
        editor = make_staff("ed", "editor")
        deliver("ed")
        story = services.entry_publish(entry=entry_of("ed"), sections=[sections["drones"]],
                                       user=editor)  # fmt: skip
        services.story_edit(story=story, user=editor, headline="Sharper headline")
        story.refresh_from_db()
        assert story.headline == "Sharper headline" and story.updated_at is not None
        assert entry_of("ed").text_edited
        assert AuditEntry.objects.filter(user=editor, action="edit", story=story).exists()


class TakedownTests:
    def test_story_comes_down_when_its_contract_days_are_over(
        self, deliver, sections, source, client
    ):
        """A source whose contract allows 30 days online: its story is taken down (410
        with a notice, logged) after 30 days, not before, and only once."""
        source.takedown_after_days = 30
        source.save()
        deliver("old")
        story = services.entry_publish(entry=entry_of("old"), sections=[sections["drones"]])
        path = story.placements.get().path
        first_seen = story.first_published_at
        assert services.stories_take_down_expired(now=first_seen + timedelta(days=29)) == 0
        assert services.stories_take_down_expired(now=first_seen + timedelta(days=30)) == 1
        assert services.stories_take_down_expired(now=first_seen + timedelta(days=31)) == 0
        story.refresh_from_db()
        assert story.status == Story.Status.WITHDRAWN
        page = client.get(path, HTTP_HOST="spacewar.localhost")
        assert page.status_code == 410 and b"limited time" in page.content
        assert AuditEntry.objects.filter(action="withdraw", story=story).exists()

    def test_sources_without_a_limit_keep_their_stories(self, deliver, sections):
        """Stories of a source with no limit stay online however old."""
        deliver("kept")
        story = services.entry_publish(entry=entry_of("kept"), sections=[sections["drones"]])
        later = story.first_published_at + timedelta(days=3650)
        assert services.stories_take_down_expired(now=later) == 0
