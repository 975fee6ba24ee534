from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.articles.models import Story
from dateline.desk import services
from dateline.desk.models import DeskEntry
from dateline.ops.dashboard import chart_named, days_ending, figures

pytestmark = pytest.mark.django_db(transaction=True)


class DeskLatencyChartTests:
    def test_latency_bands_from_known_data(self, deliver, sections):
        """Stories published 3 min, 30 min and 2 h after their arrival land in their bands."""
        now = timezone.now()
        for guid, minutes in (("fast", 3), ("mid", 30), ("slow", 120)):
            deliver(guid)
            entry = DeskEntry.objects.get(guid=f"urn:afp.example:{guid}")
            DeskEntry.objects.filter(pk=entry.pk).update(
                first_received_at=now - timedelta(minutes=minutes)
            )
            story = services.entry_publish(entry=entry, sections=[sections["drones"]])
            Story.objects.filter(pk=story.pk).update(first_published_at=now)
        days = days_ending(now.date(), 7)
        latency = figures(chart_named("desk-latency"), days)
        bands = {label: total for label, _, total in latency.rows_with_totals}
        assert bands == {"under 5 min": 1, "15-60 min": 1, "1-6 h": 1}
        by_source = figures(chart_named("desk-latency-by-source"), days)
        assert {label: total for label, _, total in by_source.rows_with_totals} == {
            "AFP world: within 15 min": 1, "AFP world: 15-60 min": 1, "AFP world: over 1 h": 1,
        }  # fmt: skip
