from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dateline.articles.models import PathRedirect, Story
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    staff_login(client, user)
    return client


def story_form(agency, section, **overrides):
    data = {
        "headline": "Admin-made story",
        "byline": "Desk Editor",
        "dateline_place": "Paris",
        "agency": agency.pk,
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "body": "<p>Made in the admin.</p><script>x()</script>",
        "signoff": "ab/cd",
        "teaser": "",
        "withdrawn_notice": "",
        "placements-TOTAL_FORMS": "1",
        "placements-INITIAL_FORMS": "0",
        "placements-MIN_NUM_FORMS": "1",
        "placements-MAX_NUM_FORMS": "1000",
        "placements-0-section": section.pk,
        "placements-0-slug": "",
        "placements-0-is_canonical": "on",
    }
    data.update(overrides)
    return data


class StoryAdminTests:
    def test_add_and_publish_in_one_step(self, editor_client, agencies, sections, fetch):
        """A story added in the admin with status published is live at its URL, sanitised."""
        response = editor_client.post(
            "/admin/articles/story/add/",
            story_form(agencies["AFP"], sections["iraq-wars"]),
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 302, response.context["errors"] if response.context else ""
        story = Story.objects.get(headline="Admin-made story")
        assert story.status == "published" and story.published_at is not None
        assert "<script>" not in story.body and story.teaser == "Made in the admin."
        page = fetch(story.placements.get().path)
        assert page.status_code == 200 and "Made in the admin." in page.content.decode()

    def test_story_needs_a_section(self, editor_client, agencies, sections):
        """The admin refuses a story without a placement, with a message."""
        data = story_form(agencies["AFP"], sections["iraq-wars"], **{"placements-0-section": ""})
        response = editor_client.post(
            "/admin/articles/story/add/", data, headers={"host": "spacewar.localhost"}
        )
        assert response.status_code == 200
        assert not Story.objects.exists()

    def test_scheduling_needs_future_time(self, editor_client, agencies, sections):
        """Scheduling without a future time is refused with a clear message."""
        past = timezone.now() - timedelta(days=1)
        data = story_form(
            agencies["AFP"],
            sections["iraq-wars"],
            status="scheduled",
            published_at_0=past.strftime("%Y-%m-%d"),
            published_at_1=past.strftime("%H:%M:%S"),
        )
        response = editor_client.post(
            "/admin/articles/story/add/", data, headers={"host": "spacewar.localhost"}
        )
        assert "needs a publication time in the future" in response.content.decode()

    def test_slug_change_in_admin_keeps_old_url(self, editor_client, publish, fetch):
        """Editing a placement's slug in the admin leaves a 301 at the old URL."""
        story = publish("Slug to change")
        placement = story.placements.get()
        old_path = placement.path
        data = story_form(
            story.agency,
            placement.section,
            headline=story.headline,
            body=story.body,
            teaser=story.teaser,
            published_at_0=story.published_at.strftime("%Y-%m-%d"),
            published_at_1=story.published_at.strftime("%H:%M:%S"),
            **{
                "placements-INITIAL_FORMS": "1",
                "placements-0-id": placement.pk,
                "placements-0-story": story.pk,
                "placements-0-slug": "changed-slug",
            },
        )
        response = editor_client.post(
            f"/admin/articles/story/{story.pk}/change/",
            data,
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        placement.refresh_from_db()
        assert placement.path.endswith("/changed-slug/")
        assert PathRedirect.objects.filter(old_path=old_path).exists()
        assert fetch(old_path).status_code == 301

    def test_withdraw_action(self, editor_client, publish, fetch):
        """The admin's withdraw action takes a story down (410)."""
        story = publish("To withdraw from admin")
        response = editor_client.post(
            "/admin/articles/story/",
            {"action": "withdraw", "_selected_action": [story.pk]},
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 302
        assert fetch(story.placements.get().path).status_code == 410

    def test_admin_needs_staff(self, client, sections):
        """The admin is for staff only."""
        response = client.get("/admin/articles/story/", headers={"host": "spacewar.localhost"})
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]


def change_form(story, placement, **overrides):
    data = story_form(
        story.agency,
        placement.section,
        headline=story.headline,
        body=story.body,
        teaser=story.teaser,
        status=story.status,
        published_at_0=story.published_at.strftime("%Y-%m-%d") if story.published_at else "",
        published_at_1=story.published_at.strftime("%H:%M:%S") if story.published_at else "",
        **{
            "placements-INITIAL_FORMS": "1",
            "placements-0-id": placement.pk,
            "placements-0-story": story.pk,
            "placements-0-slug": placement.slug,
            "placements-0-canonical": "on" if placement.is_canonical else "",
        },
    )
    data.update(overrides)
    return data


def post_change(client, story, data):
    return client.post(
        f"/admin/articles/story/{story.pk}/change/", data, headers={"host": "spacewar.localhost"}
    )


class StoryAdminEditTests:
    def test_new_time_moves_the_url(self, editor_client, publish, fetch):
        """Changing a published story's time re-dates its URL; the old one answers 301."""
        story = publish("Re-dated story", hours_ago=1)
        placement = story.placements.get()
        old_path = placement.path
        earlier = story.published_at - timedelta(days=3)
        data = change_form(
            story,
            placement,
            published_at_0=earlier.strftime("%Y-%m-%d"),
            published_at_1=earlier.strftime("%H:%M:%S"),
        )
        assert post_change(editor_client, story, data).status_code == 302
        placement.refresh_from_db()
        assert f"/{earlier:%Y/%m/%d}/" in placement.path
        assert fetch(old_path).status_code == 301

    def test_back_to_draft_with_no_time(self, editor_client, publish, fetch):
        """Setting a published story to draft and clearing its time takes it off the site."""
        story = publish("Back to draft")
        placement = story.placements.get()
        data = change_form(story, placement, status="draft", published_at_0="", published_at_1="")
        assert post_change(editor_client, story, data).status_code == 302
        assert fetch(placement.path).status_code == 404

    def test_cross_site_move_is_a_form_error(self, editor_client, publish, sections):
        """Moving a placement to another site's section is refused with a message, not a crash."""
        story = publish("Stays on its site")
        placement = story.placements.get()
        data = change_form(story, placement, **{"placements-0-section": sections["satellites"].pk})
        response = post_change(editor_client, story, data)
        assert response.status_code == 200
        assert "moves within its site" in response.content.decode()

    def test_switch_canonical(self, editor_client, publish):
        """Ticking another placement as canonical moves the mark."""
        story = publish("Two homes", extra_sections=["satellites"])
        first, second = story.placements.order_by("id")
        data = change_form(story, first)
        data.update({
            "placements-TOTAL_FORMS": "2",
            "placements-INITIAL_FORMS": "2",
            "placements-0-canonical": "",
            "placements-1-id": second.pk,
            "placements-1-story": story.pk,
            "placements-1-section": second.section.pk,
            "placements-1-slug": second.slug,
            "placements-1-canonical": "on",
        })  # fmt: skip
        assert post_change(editor_client, story, data).status_code == 302
        second.refresh_from_db()
        assert second.is_canonical and story.placements.filter(is_canonical=True).count() == 1

    def test_plain_text_body(self, editor_client, agencies, sections, fetch):
        """A body typed as plain text becomes paragraphs, and a wire subhead an <h2>."""
        body = "First paragraph.\r\n\r\n- 'A turning point' -\r\n\r\nSecond paragraph."
        data = story_form(agencies["AFP"], sections["iraq-wars"], body=body)
        editor_client.post(
            "/admin/articles/story/add/", data, headers={"host": "spacewar.localhost"}
        )
        story = Story.objects.get()
        assert story.body == (
            "<p>First paragraph.</p>\n<h2>'A turning point'</h2>\n<p>Second paragraph.</p>"
        )

    def test_body_nested_too_deep_is_a_form_error(self, editor_client, agencies, sections):
        """A pasted body nested thousands deep is a form error, not minutes of work."""
        data = story_form(agencies["AFP"], sections["iraq-wars"], body="<div>" * 5000 + "x")
        response = editor_client.post(
            "/admin/articles/story/add/", data, headers={"host": "spacewar.localhost"}
        )
        assert response.status_code == 200 and "more than 200 deep" in response.text
        assert not Story.objects.exists()

    def test_publish_now_on_scheduled_story(self, editor_client, agencies, sections):
        """ "Publish now" on a scheduled story publishes it now, not at its future time."""
        from dateline.articles import services

        story = services.story_create(
            headline="Was scheduled",
            agency=agencies["AFP"],
            body="x",
            sections=[sections["drones"]],
        )
        services.story_schedule(story=story, publish_at=timezone.now() + timedelta(days=2))
        editor_client.post(
            "/admin/articles/story/",
            {"action": "publish_now", "_selected_action": [story.pk]},
            headers={"host": "spacewar.localhost"},
        )
        story.refresh_from_db()
        assert story.status == "published" and story.published_at <= timezone.now()

    def test_delete_removes_from_blocks(
        self, editor_client, publish, fetch, django_capture_on_commit_callbacks
    ):
        """Deleting a story in the admin removes it from every headline block."""
        page = publish("Reader's page", hours_ago=2)
        doomed = publish("Doomed story", section="missiles")
        path = page.placements.get().path
        assert "Doomed story" in fetch(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                f"/admin/articles/story/{doomed.pk}/delete/",
                {"post": "yes"},
                headers={"host": "spacewar.localhost"},
            )
        assert "Doomed story" not in fetch(path).content.decode()


class NetworkAdminTests:
    def test_section_slug_cannot_change(self, editor_client, sections):
        """A section's slug is fixed once created: its stories' URLs depend on it."""
        section = sections["missiles"]
        response = editor_client.post(
            f"/admin/network/section/{section.pk}/change/",
            {
                "site": section.site_id, "name": "Rockets", "slug": "rockets", "order": 0,
                "related_links-TOTAL_FORMS": "0", "related_links-INITIAL_FORMS": "0",
            },
            headers={"host": "spacewar.localhost"},
        )  # fmt: skip
        assert response.status_code == 200 and "cannot change" in response.content.decode()

    def test_agency_edit_reaches_footer(
        self, editor_client, agencies, sections, fetch, django_capture_on_commit_callbacks
    ):
        """Editing an agency's copyright holder changes every footer."""
        fetch("/")
        agency = agencies["UPI"]
        with django_capture_on_commit_callbacks(execute=True):
            editor_client.post(
                f"/admin/network/agency/{agency.pk}/change/",
                {
                    "code": "UPI",
                    "name": agency.name,
                    "kind": "wire",
                    "copyright_holder": "UPI Holdings",
                },
                headers={"host": "spacewar.localhost"},
            )
        assert "UPI stories are copyright UPI Holdings." in fetch("/").content.decode()
