"""Regressions found by a newcomer's review of the desk."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.articles.models import Story
from dateline.desk import services
from dateline.desk.models import DeskEntry
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db(transaction=True)


def entry_of(guid):
    return DeskEntry.objects.select_related("item", "story", "source").get(
        guid=f"urn:afp.example:{guid}"
    )


class EditDetectionTests:
    def test_untouched_form_text_is_not_an_edit(self, deliver, sections):
        """The wire's own text sent back by a browser (CRLF line ends) is not an edit, so
        later wire versions still update the story."""
        deliver("crlf", body="First paragraph here.\n\nSecond paragraph here.")
        entry = entry_of("crlf")
        text = services._wire_text(entry.item)
        services.entry_publish(
            entry=entry, sections=[sections["drones"]], headline=text["headline"],
            teaser=text["teaser"].replace(" ", "  "), body=text["body"].replace("\n", "\r\n"),
        )  # fmt: skip
        assert not entry_of("crlf").text_edited
        deliver("crlf", version=2, headline="Second version headline")
        assert entry_of("crlf").story.headline == "Second version headline"

    def test_overlong_headline_is_refused_clearly(self, deliver, sections):
        """A headline over 255 characters is refused with the limit, not a database error."""
        deliver("long")
        with pytest.raises(services.DeskError, match="at most 255"):
            services.entry_publish(entry=entry_of("long"), sections=[sections["drones"]],
                                   headline="x" * 1000)  # fmt: skip


class TakedownTests:
    def test_live_story_cannot_be_rescheduled_off_the_site(self, deliver, sections):
        """A time given for a story that is live is refused (it would take it down)."""
        deliver("live")
        services.entry_publish(entry=entry_of("live"), sections=[sections["drones"]])
        with pytest.raises(services.DeskError, match="live already"):
            services.entry_publish(entry=entry_of("live"), sections=[sections["missiles"]],
                                   publish_at=timezone.now() + timedelta(days=1))  # fmt: skip

    def test_publish_now_after_a_schedule_is_dated_now(self, deliver, sections):
        """Publishing a scheduled item now dates it now, not at its scheduled time."""
        deliver("sch")
        services.entry_publish(entry=entry_of("sch"), sections=[sections["drones"]],
                               publish_at=timezone.now() + timedelta(days=30))  # fmt: skip
        story = services.entry_publish(entry=entry_of("sch"), sections=[sections["drones"]])
        assert story.status == Story.Status.PUBLISHED
        assert story.published_at <= timezone.now()

    def test_a_later_publish_gives_no_withdraw_right(self, client, make_staff, deliver, sections):
        """Only the member who first published a story (or a chief editor) withdraws it,
        however often others publish it again."""
        ed, other = make_staff("ed", "editor"), make_staff("other", "editor")
        deliver("own")
        services.entry_publish(entry=entry_of("own"), sections=[sections["drones"]], user=ed)
        services.entry_publish(entry=entry_of("own"), sections=[sections["missiles"]], user=other)
        staff_login(client, other)
        assert client.post(f"/desk/item/{entry_of('own').pk}/withdraw/").status_code == 403

    def test_killed_story_cannot_be_revived_in_the_admin(
        self, client, make_staff, deliver, sections
    ):
        """After an agency kill, "Publish now" in the admin leaves the story withdrawn."""
        chief = make_staff("chief", "chief editor")
        deliver("kill")
        story = services.entry_publish(entry=entry_of("kill"), sections=[sections["drones"]])
        deliver("kill", version=2, pubstatus="canceled")
        staff_login(client, chief)
        client.post(
            "/admin/articles/story/", {"action": "publish_now", "_selected_action": [story.pk]}
        )
        story.refresh_from_db()
        assert story.status == Story.Status.WITHDRAWN

    def test_withdrawn_story_cannot_lead_a_front(self, deliver, sections, war_site):
        """Only a live or scheduled story can be pinned as a lead."""
        deliver("gone")
        story = services.entry_publish(entry=entry_of("gone"), sections=[sections["drones"]])
        services.story_withdraw(story=story)
        with pytest.raises(services.DeskError, match="not a lead"):
            services.front_pin(story=story, site=war_site)

    def test_an_item_that_runs_cannot_replace_another(self, deliver, sections):
        """Choosing a cluster item that already runs its own story is refused (a kill
        must be able to find every copy)."""
        deliver("c1")
        deliver("c2")
        first, second = entry_of("c1"), entry_of("c2")
        DeskEntry.objects.filter(pk=second.pk).update(cluster_key=first.cluster_key)
        services.entry_publish(entry=first, sections=[sections["drones"]])
        services.entry_publish(entry=entry_of("c2"), sections=[sections["missiles"]])
        with pytest.raises(services.DeskError, match="runs already"):
            services.cluster_choose(entry=entry_of("c2"))


class HostileInputTests:
    @pytest.mark.parametrize(
        "url",
        ["/desk/?source=%C2%B2", "/desk/?section=99999999999999999999999",
         "/desk/?before=20260101T000000.000000Z-99999999999999999999999",
         "/desk/updates.json?after=garbage"],
    )  # fmt: skip
    def test_odd_query_strings_are_not_errors(self, client, make_staff, url):
        """Non-ASCII digits and huge ids in the query string answer 200, not 500."""
        staff_login(client, make_staff("ed", "editor"))
        response = client.get(url)
        assert response.status_code == 200
        if "updates" in url:
            assert response.json()["count"] == 0

    def test_odd_form_values_are_not_errors(self, client, make_staff, deliver):
        """Odd ids in desk forms are ignored or refused, never a server error."""
        staff_login(client, make_staff("ed", "editor"))
        deliver("f")
        entry = entry_of("f")
        for path, data in [
            (f"/desk/item/{entry.pk}/publish/", {"sections": ["²", "9" * 30]}),
            ("/desk/bulk/", {"action": "spike", "ids": ["²", "9" * 30]}),
            (f"/desk/item/{entry.pk}/pin/", {"front": "²"}),
        ]:
            assert client.post(path, data).status_code in (302, 400, 409), path


class PollingTests:
    def test_a_burst_of_arrivals_comes_in_over_several_polls(self, client, make_staff, deliver):
        """More arrivals than one poll returns are all delivered by the following polls."""
        staff_login(client, make_staff("ed", "editor"))
        cursor = "19700101T000000.000000Z-0"
        for n in range(55):
            deliver(f"burst{n}", headline=f"Burst item {n}")
        seen = 0
        for _ in range(3):
            data = client.get(f"/desk/updates.json?after={cursor}").json()
            seen += data["count"]
            cursor = data["cursor"]
        assert seen == 55
