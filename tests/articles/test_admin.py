from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dateline.articles.models import PathRedirect, Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    client.force_login(user)
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
