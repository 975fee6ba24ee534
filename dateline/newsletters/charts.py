"""Newsletters on the newsroom dashboard (dateline/ops/dashboard.py): messages sent per
day, and bounces and unsubscribes per day."""

from datetime import UTC

from dateline.ops.dashboard import Series, chart, window


def _count_by_day(series: Series, label: str, stamps) -> None:
    by_day = series.setdefault(label, {})
    for stamp in stamps:
        day = stamp.astimezone(UTC).date()
        by_day[day] = by_day.get(day, 0) + 1


@chart("newsletter-messages", title="Newsletter messages sent per site per day",
       unit="messages", order=40)  # fmt: skip
def newsletter_messages(days) -> Series:
    from .models import Delivery

    start, end = window(days)
    series: Series = {}
    rows = Delivery.objects.filter(
        state=Delivery.State.SENT, updated_at__gte=start, updated_at__lt=end
    ).values_list("issue__newsletter__site__name", "updated_at")
    for site_name, stamp in rows:
        _count_by_day(series, site_name, [stamp])
    return series


@chart("newsletter-losses", title="Newsletter bounces and unsubscribes per day",
       unit="addresses", order=41)  # fmt: skip
def newsletter_losses(days) -> Series:
    from .models import Delivery, Subscription

    start, end = window(days)
    series: Series = {}
    _count_by_day(series, "bounced or complained", Delivery.objects.filter(
        bounced_at__gte=start, bounced_at__lt=end).values_list("bounced_at", flat=True))  # fmt: skip
    _count_by_day(series, "unsubscribed", Subscription.objects.filter(
        unsubscribed_at__gte=start, unsubscribed_at__lt=end).values_list("unsubscribed_at", flat=True))  # fmt: skip
    return {label: by_day for label, by_day in series.items() if by_day}
