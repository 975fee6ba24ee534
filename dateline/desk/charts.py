"""The desk's charts on the newsroom dashboard (dateline/ops/dashboard.py): how long
wire copy waits between its arrival and its publication."""

from datetime import UTC, timedelta

from dateline.ops.dashboard import Series, chart, window

BANDS = [
    (timedelta(minutes=5), "under 5 min"),
    (timedelta(minutes=15), "5-15 min"),
    (timedelta(hours=1), "15-60 min"),
    (timedelta(hours=6), "1-6 h"),
    (None, "over 6 h"),
]
COARSE = [(timedelta(minutes=15), "within 15 min"), (timedelta(hours=1), "15-60 min"),
          (None, "over 1 h")]  # fmt: skip


def _band(latency: timedelta, bands) -> str:
    return next(label for limit, label in bands if limit is None or latency < limit)


def _published_from_wire(days):
    """(UTC day published, source name, latency) of each story the desk published from
    the wire in the window: latency from the item's first arrival to first publication."""
    from .models import DeskEntry

    start, end = window(days)
    rows = (
        DeskEntry.objects.filter(
            story__first_published_at__gte=start, story__first_published_at__lt=end
        )
        .values_list("story__first_published_at", "source__name", "first_received_at")
        .order_by()
    )
    for published, source, received in rows:
        yield published.astimezone(UTC).date(), source, max(timedelta(0), published - received)


@chart("desk-latency", title="Desk latency: wire arrival to publication, stories per day",
       unit="stories", order=30)  # fmt: skip
def desk_latency(days) -> Series:
    """The distribution of the desk's latency, day by day (bands)."""
    series: Series = {label: {} for _, label in BANDS}
    for day, _source, latency in _published_from_wire(days):
        by_day = series[_band(latency, BANDS)]
        by_day[day] = by_day.get(day, 0) + 1
    return {label: by_day for label, by_day in series.items() if by_day}


@chart("desk-latency-by-source", title="Desk latency by source, stories per day",
       unit="stories", order=31)  # fmt: skip
def desk_latency_by_source(days) -> Series:
    """The same, per source, in three bands."""
    series: Series = {}
    for day, source, latency in _published_from_wire(days):
        by_day = series.setdefault(f"{source}: {_band(latency, COARSE)}", {})
        by_day[day] = by_day.get(day, 0) + 1
    return series
