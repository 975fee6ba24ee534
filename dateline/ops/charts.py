"""The charts the ops app knows about: the wire and publishing. Charts of other
apps (the desk's latency, newsletters, contributions) live in their own
``charts.py`` and register the same way (see dashboard.py)."""

from datetime import UTC

from django.db.models import Count
from django.db.models.functions import TruncDate

from .dashboard import Series, chart, window


def _by_day(rows, label) -> Series:
    series: Series = {}
    for row in rows:
        series.setdefault(label(row), {})[row["day"]] = row["n"]
    return series


@chart("wire-items", title="Wire items ingested per source per day", unit="items", order=10)
def wire_items(days) -> Series:
    """Items that entered the pool (every version counts), by source, per UTC day."""
    from dateline.wire.models import WireItem

    start, end = window(days)
    rows = (
        WireItem.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=UTC))
        .values("source__name", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by_day(rows, lambda row: row["source__name"])


@chart("stories-by-site", title="Stories published per site per day", unit="stories", order=15)
def stories_by_site(days) -> Series:
    """Stories by the day they were published (UTC), per site (once per site however
    many of its sections carry them)."""
    from dateline.articles.models import Placement

    start, end = window(days)
    rows = (
        Placement.objects.filter(published_at__gte=start, published_at__lt=end)
        .annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values("site__name", "day")
        .annotate(n=Count("story_id", distinct=True))
        .order_by()
    )
    return _by_day(rows, lambda row: row["site__name"])


@chart(
    "stories-published",
    title="Stories published per site and section per day",
    unit="stories",
    order=20,
)
def stories_published(days) -> Series:
    """Placements by the day their story was published (UTC), by site and section;
    a story on two sections counts on each."""
    from dateline.articles.models import Placement

    start, end = window(days)
    rows = (
        Placement.objects.filter(published_at__gte=start, published_at__lt=end)
        .annotate(day=TruncDate("published_at", tzinfo=UTC))
        .values("site__name", "section__name", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _by_day(rows, lambda row: f"{row['site__name']} / {row['section__name']}")
