from datetime import timedelta

from django.utils import timezone

from dateline.comments import services
from dateline.comments.models import Comment
from dateline.comments.tasks import comments_housekeeping


def _comment(article, *, verified, days_old, ip="192.0.2.1"):
    comment = services.comment_submit(
        site=article.site, story_id=article.story_id, parent=None, author_name="A",
        author_email="a@example.org", body="Text.", verified=verified, ip_address=ip,
        user_agent="Browser/1.0",
    )  # fmt: skip
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    return comment


class HousekeepingTests:
    def test_unconfirmed_comments_dropped_after_a_week(self, article):
        """Comments never confirmed are deleted a week after their link expired; recent ones stay."""
        old = _comment(article, verified=False, days_old=10)
        recent = _comment(article, verified=False, days_old=1)
        confirmed = _comment(article, verified=True, days_old=30)
        result = services.comments_forget_old()
        assert result["unconfirmed_deleted"] == 1
        assert not Comment.objects.filter(pk=old.pk).exists()
        assert Comment.objects.filter(pk__in=[recent.pk, confirmed.pk]).count() == 2

    def test_old_addresses_forgotten(self, article, settings):
        """IP addresses and browsers are blanked after DATELINE_COMMENTS_KEEP_IP_DAYS."""
        settings.DATELINE_COMMENTS_KEEP_IP_DAYS = 90
        old = _comment(article, verified=True, days_old=100)
        young = _comment(article, verified=True, days_old=10)
        assert services.comments_forget_old()["addresses_forgotten"] == 1
        old.refresh_from_db()
        young.refresh_from_db()
        assert (old.ip_address, old.user_agent) == (None, "")
        assert young.ip_address == "192.0.2.1"

    def test_scheduled_task_runs_twice_safely(self, article):
        """The daily task does its work once; a second run finds nothing to do."""
        _comment(article, verified=False, days_old=10)
        first = comments_housekeeping.call()
        second = comments_housekeeping.call()
        assert first["unconfirmed_deleted"] == 1 and second == {
            "unconfirmed_deleted": 0,
            "addresses_forgotten": 0,
        }
