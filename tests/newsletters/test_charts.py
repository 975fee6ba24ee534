from datetime import UTC, date, datetime

import pytest

from dateline.newsletters.models import Delivery, Issue, Subscription
from dateline.ops.dashboard import chart_named, figures

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def totals(name, days):
    return {label: total for label, _, total in figures(chart_named(name), days).rows_with_totals}


class NewsletterChartTests:
    def test_dashboard_figures_from_known_deliveries(self, war_newsletter, subscribers):
        """Messages sent, bounces and unsubscribes per day come out of known records."""
        readers = subscribers(3)
        issue = Issue.objects.create(
            newsletter=war_newsletter, date=DAY.date(), status=Issue.Status.SENT, subject="Daily",
            window_start=DAY, window_end=DAY,
        )  # fmt: skip
        for reader, state in zip(readers, ["sent", "sent", "failed"], strict=True):
            Delivery.objects.create(issue=issue, subscriber=reader, state=state, updated_at=DAY)
        Delivery.objects.filter(subscriber=readers[1]).update(bounced_at=DAY)
        Subscription.objects.filter(subscriber=readers[0]).update(
            status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=DAY
        )
        days = [date(2026, 11, 19), date(2026, 11, 20)]
        assert totals("newsletter-messages", days) == {"SpaceWar": 2}
        assert totals("newsletter-losses", days) == {"bounced or complained": 1, "unsubscribed": 1}
