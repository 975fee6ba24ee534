import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from dateline.comments import services
from dateline.comments.models import BannedAddress, Comment
from tests.conftest import staff_login

HOST = {"host": "spacewar.localhost"}


def staff_client(client, *codenames):
    user = get_user_model().objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    staff_login(client, user)
    return client, user


@pytest.fixture
def pending(article):
    return services.comment_submit(
        site=article.site, story_id=article.story_id, parent=None, author_name="Ada",
        author_email="ada@example.org", body="Waiting in the queue.", verified=True,
    )  # fmt: skip


def act(client, url, action, comments):
    return client.post(
        url,
        {"action": action, "_selected_action": [c.pk for c in comments], "index": 0},
        headers=HOST,
    )


class ModerationQueueTests:
    def test_queue_lists_pending_and_reported(self, client, pending, article):
        """The queue shows comments waiting for a moderator and published ones reported."""
        client, _ = staff_client(client, "moderate_comment")
        published = services.comment_approve(
            comment=services.comment_submit(
                site=article.site, story_id=article.story_id, parent=None, author_name="B",
                author_email="b@example.org", body="Reported one.", verified=True,
            ), by=None,
        )  # fmt: skip
        quiet = services.comment_approve(
            comment=services.comment_submit(
                site=article.site, story_id=article.story_id, parent=None, author_name="C",
                author_email="c@example.org", body="Quiet one.", verified=True,
            ), by=None,
        )  # fmt: skip
        services.comment_report(comment=published, reason="spam", note="", reporter_key="k1")
        page = client.get("/admin/comments/queuedcomment/", headers=HOST).content.decode()
        assert "Waiting in the queue." in page and "Reported one." in page
        assert "Quiet one." not in page
        assert quiet.status == Comment.Status.APPROVED

    def test_approve_reject_delete_actions(self, client, pending, fetch, article):
        """Approve publishes, delete takes down; both record who did it."""
        client, moderator = staff_client(client, "moderate_comment")
        url = "/admin/comments/queuedcomment/"
        assert act(client, url, "action_approved", [pending]).status_code == 302
        pending.refresh_from_db()
        assert pending.status == Comment.Status.APPROVED and pending.moderated_by == moderator
        assert "Waiting in the queue." in fetch(article.path).content.decode()
        act(client, "/admin/comments/comment/", "action_deleted", [pending])
        pending.refresh_from_db()
        assert pending.status == Comment.Status.DELETED
        assert "Waiting in the queue." not in fetch(article.path).content.decode()
        other = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=None, author_name="D",
            author_email="d@example.org", body="Rude.", verified=True,
        )  # fmt: skip
        act(client, url, "action_rejected", [other])
        other.refresh_from_db()
        assert other.status == Comment.Status.REJECTED

    def test_ban_action(self, client, pending):
        """Banning from the queue bans the author's address and rejects their waiting comments."""
        client, _ = staff_client(client, "moderate_comment")
        act(client, "/admin/comments/queuedcomment/", "ban_addresses", [pending])
        assert BannedAddress.objects.filter(email="ada@example.org").exists()
        pending.refresh_from_db()
        assert pending.status == Comment.Status.REJECTED

    def test_moderation_needs_the_permission(self, client, pending):
        """Staff without comments.moderate_comment see no queue and cannot act."""
        client, _ = staff_client(client, "view_comment")
        assert client.get("/admin/comments/queuedcomment/", headers=HOST).status_code == 403
        page = client.get("/admin/comments/comment/", headers=HOST)
        assert page.status_code == 200 and "action_approved" not in page.content.decode()
        act(client, "/admin/comments/comment/", "action_approved", [pending])
        pending.refresh_from_db()
        assert pending.status == Comment.Status.PENDING

    def test_hostile_text_shown_escaped_in_admin(self, client, article):
        """Moderators read a hostile comment as text; nothing of it runs in the admin."""
        client, _ = staff_client(client, "moderate_comment")
        comment = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=None, author_name="X",
            author_email="x@example.org", body="<script>alert(1)</script>", verified=True,
        )  # fmt: skip
        page = client.get(f"/admin/comments/comment/{comment.pk}/change/", headers=HOST)
        body = page.content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<script>alert(1)</script>" not in body
