"""Reads of the support app: the appeal a site shows, the checkout a reader comes back to,
and the monthly figures of the admin's chart."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from dateline.network.models import Site

from .models import AppealConfig, Checkout, Contribution, Frequency, Subscription
from .providers import enabled_providers

# What a network without an appeal in the admin shows.
DEFAULTS = {
    "heading": "Support our independent news",
    "text": (
        "Our reporting is free to read, with no paywall. It is paid for by readers who give: "
        "once, or every month."
    ),
    "preset_amounts": "5, 10, 25",
    "min_amount": Decimal("1.00"),
    "max_amount": Decimal("1000.00"),
    "currency": "USD",
    "allow_once": True,
    "allow_monthly": True,
    "thank_you_text": "Thank you. Readers like you keep this site free for everyone.",
}
FIELDS = tuple(DEFAULTS)
CACHE_SECONDS = 60
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


@dataclass(frozen=True)
class Appeal:
    heading: str
    text: str
    presets: tuple[Decimal, ...]
    min_amount: Decimal
    max_amount: Decimal
    currency: str
    frequencies: tuple[str, ...]
    thank_you_text: str
    providers: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, label, frequencies)

    @property
    def is_open(self) -> bool:
        return bool(self.providers and self.frequencies)

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.currency, "")

    def display(self, amount) -> str:
        """``$5`` or ``$12.50``; the code after it where the currency has no symbol."""
        text = f"{amount:.2f}".removesuffix(".00")
        return f"{self.symbol}{text}" if self.symbol else f"{text} {self.currency}"

    def providers_for(self, frequency: str):
        return [(name, label) for name, label, offered in self.providers if frequency in offered]


def _presets(text: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(part.strip()) for part in text.split(",") if part.strip())


def appeal_cache_key(site_id: int) -> str:
    return f"support:appeal:{site_id}"


def appeal_for_site(site: Site) -> Appeal:
    """The network's appeal with the site's overrides applied field by field, and the
    providers that are switched on. Cached briefly: every article page shows it."""
    key = appeal_cache_key(site.id)
    appeal = cache.get(key)
    if appeal is None:
        appeal = _appeal_build(site)
        cache.set(key, appeal, CACHE_SECONDS)
    return appeal


def _appeal_build(site: Site) -> Appeal:
    values = dict(DEFAULTS)
    rows = AppealConfig.objects.filter(network_id=site.network_id).filter(
        Q(site__isnull=True) | Q(site=site)
    )
    for row in sorted(rows, key=lambda r: r.site_id is not None):  # network first, then site
        for name in FIELDS:
            value = getattr(row, name)
            if value not in (None, ""):
                values[name] = value
    frequencies = tuple(
        f
        for f, allowed in (
            (Frequency.ONCE, values["allow_once"]),
            (Frequency.MONTHLY, values["allow_monthly"]),
        )
        if allowed
    )
    providers = tuple(
        (p.name, p.label, tuple(f for f in frequencies if p.offers(f))) for p in enabled_providers()
    )
    providers = tuple(p for p in providers if p[2])
    presets = tuple(
        p
        for p in _presets(values["preset_amounts"])
        if values["min_amount"] <= p <= values["max_amount"]
    )
    return Appeal(
        heading=values["heading"],
        text=values["text"],
        presets=presets,
        min_amount=Decimal(values["min_amount"]),
        max_amount=Decimal(values["max_amount"]),
        currency=values["currency"],
        frequencies=tuple(f for f in frequencies if any(f in p[2] for p in providers)),
        thank_you_text=values["thank_you_text"],
        providers=providers,
    )


def checkout_for_token(token) -> Checkout | None:
    return Checkout.objects.select_related("site").filter(token=token).first()


@dataclass(frozen=True)
class MonthFigures:
    month: date
    revenue: dict[str, Decimal]  # currency -> amount in major units
    contributions: int
    active_supporters: int


def monthly_figures(*, months: int = 12, today: date | None = None) -> list[MonthFigures]:
    """Revenue (per currency) and active supporters for the last ``months`` months.
    A supporter is active in a month when they gave in it (once or monthly)."""
    today = today or datetime.now(UTC).date()
    first = date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    rows = (
        Contribution.objects.filter(received_at__gte=start)
        .annotate(month=TruncMonth("received_at", tzinfo=UTC))
        .values("month", "currency")
        .annotate(total=Sum("amount_minor"), count=Count("id"))
    )
    supporters = (
        Contribution.objects.filter(received_at__gte=start)
        .annotate(month=TruncMonth("received_at", tzinfo=UTC))
        .values("month")
        .annotate(active=Count("supporter_id", distinct=True))
    )
    by_month: dict[date, dict] = {}
    month = first
    while month <= today:
        by_month[month] = {"revenue": {}, "count": 0, "active": 0}
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    for row in rows:
        key = _as_date(row["month"])
        if key in by_month:
            amount = Contribution(amount_minor=row["total"], currency=row["currency"]).amount
            by_month[key]["revenue"][row["currency"]] = amount
            by_month[key]["count"] += row["count"]
    for row in supporters:
        key = _as_date(row["month"])
        if key in by_month:
            by_month[key]["active"] = row["active"]
    return [
        MonthFigures(
            month=m, revenue=v["revenue"], contributions=v["count"], active_supporters=v["active"]
        )
        for m, v in by_month.items()
    ]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def active_subscriptions_count() -> int:
    return Subscription.objects.filter(
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE]
    ).count()
