"""Reader support on the newsroom dashboard (dateline/ops/dashboard.py)."""

from datetime import UTC, datetime, time, timedelta

from dateline.ops.dashboard import Series, chart, window


@chart("contributions", title="Contributions per day, once and monthly", unit="contributions",
       order=60)  # fmt: skip
def contributions(days) -> Series:
    from .models import Contribution

    start, end = window(days)
    series: Series = {}
    rows = Contribution.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "received_at", "frequency"
    )
    for received, frequency in rows:
        by_day = series.setdefault(frequency, {})
        day = received.astimezone(UTC).date()
        by_day[day] = by_day.get(day, 0) + 1
    return series


@chart("revenue", title="Revenue per day by currency (whole units)", unit="", order=61)
def revenue(days) -> Series:
    from .models import Contribution

    start, end = window(days)
    series: Series = {}
    rows = Contribution.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "received_at", "currency", "amount_minor"
    )
    for received, currency, amount_minor in rows:
        by_day = series.setdefault(currency, {})
        day = received.astimezone(UTC).date()
        by_day[day] = by_day.get(day, 0) + amount_minor // 100
    return series


@chart("supporters", title="Active monthly supporters, day by day", unit="supporters", order=62)
def active_supporters(days) -> Series:
    """Monthly supporters whose subscription had started and not ended by each day's end."""
    from .models import Subscription

    rows = list(Subscription.objects.values_list("started_at", "cancelled_at"))
    counts = {}
    for day in days:
        end_of_day = datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=1)
        counts[day] = sum(
            1
            for started, ended in rows
            if started and started < end_of_day and (ended is None or ended >= end_of_day)
        )
    return {"active monthly supporters": counts}
