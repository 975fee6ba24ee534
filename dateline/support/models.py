"""Reader support: the appeal's configuration, checkouts started on our pages, supporters,
their contributions and monthly subscriptions, and the provider events we processed.

Amounts are integers in the currency's minor unit (cents), as both providers count them
internally; no card data is ever stored (the checkouts are the providers' hosted pages)."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from dateline.network.models import Network, Site

# ISO 4217 code -> digits of the minor unit. Both providers take these currencies.
CURRENCIES = {"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "AUD": 2, "CHF": 2, "JPY": 0}
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]


def minor_units(amount: Decimal, currency: str) -> int:
    return int((Decimal(amount) * 10 ** CURRENCIES[currency]).to_integral_value())


def major_units(amount_minor: int, currency: str) -> Decimal:
    digits = CURRENCIES.get(currency, 2)
    return (Decimal(amount_minor) / 10**digits).quantize(Decimal(1).scaleb(-digits))


class Frequency(models.TextChoices):
    ONCE = "once", "Once"
    MONTHLY = "monthly", "Monthly"


preset_validator = RegexValidator(
    r"^\s*\d+(\.\d{1,2})?(\s*,\s*\d+(\.\d{1,2})?)*\s*$",
    "Enter amounts separated by commas, e.g. 5, 10, 25.",
)


class AppealConfig(models.Model):
    """The support appeal of the network (``site`` empty) or one site's overrides of it.
    On a site's row an empty field means "as the network says"."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="appeals")
    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appeal",
        help_text="Empty: the network's appeal. A site: that site's overrides.",
    )
    heading = models.CharField(max_length=120, blank=True)
    text = models.TextField(blank=True, help_text="The appeal's paragraphs (blank lines between).")
    preset_amounts = models.CharField(
        max_length=120,
        blank=True,
        validators=[preset_validator],
        help_text="Amounts offered as buttons, in major units, e.g. 5, 10, 25.",
    )
    min_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.50"))],
        help_text="Smallest custom amount accepted.",
    )
    max_amount = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Largest custom amount accepted.",
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True)
    allow_once = models.BooleanField(null=True, blank=True, verbose_name="one-off gifts")
    allow_monthly = models.BooleanField(null=True, blank=True, verbose_name="monthly gifts")
    thank_you_text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(site__isnull=True),
                name="appeal_one_network_default",
            ),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True)
                | Q(max_amount__isnull=True)
                | Q(min_amount__lte=models.F("max_amount")),
                name="appeal_min_not_above_max",
            ),
        ]

    def __str__(self):
        return f"Appeal: {self.site.name}" if self.site_id else f"Appeal: {self.network.name}"

    def clean(self):
        if self.site_id and self.site.network_id != self.network_id:
            raise ValidationError({"site": "This site belongs to another network."})
        if self.min_amount and self.max_amount and self.min_amount > self.max_amount:
            raise ValidationError({"max_amount": "The largest amount is below the smallest."})


class Supporter(models.Model):
    """A reader who gave, known by the e-mail address the provider's checkout collected."""

    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("email"), name="supporter_email_unique")]
        permissions = [("view_supporter_personal_data", "Can see supporters' names and e-mail")]

    def __str__(self):
        return f"Supporter {self.pk}"


class Checkout(models.Model):
    """A checkout a reader started on one of our pages; the provider's page does the rest."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="checkouts")
    provider = models.CharField(max_length=20)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    provider_ref = models.CharField(max_length=120, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Checkout {self.token}"

    @property
    def amount(self) -> Decimal:
        return major_units(self.amount_minor, self.currency)


class Subscription(models.Model):
    """A monthly gift at one provider. Its status follows the provider's events in the
    order they happened (``status_at``), whatever order they arrive in."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"

    supporter = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, related_name="subscriptions", null=True
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, related_name="+")
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=120)
    amount_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_at = models.DateTimeField(help_text="When the event that set the status happened.")
    started_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="subscription_ref_unique"
            )
        ]

    def __str__(self):
        return f"{self.provider} subscription {self.provider_ref}"

    @property
    def amount(self) -> Decimal:
        return major_units(self.amount_minor, self.currency)


class SubscriptionEvent(models.Model):
    """One step of a subscription's life, as the provider reported it."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        RENEWED = "renewed", "Renewed"
        PAYMENT_FAILED = "payment_failed", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    event_id = models.CharField(max_length=120)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Contribution(models.Model):
    """Money received: a one-off gift or one month of a subscription."""

    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="contributions")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, related_name="+")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=120, help_text="The provider's payment id.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    received_at = models.DateTimeField(db_index=True)
    receipt_number = models.CharField(max_length=40, unique=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"], name="contribution_ref_unique"
            )
        ]
        permissions = [("send_receipt", "Can send a receipt again")]

    def __str__(self):
        return self.receipt_number

    @property
    def amount(self) -> Decimal:
        return major_units(self.amount_minor, self.currency)


class ProviderEvent(models.Model):
    """A webhook event we accepted, kept by the provider's event id so that a second
    delivery of it changes nothing. Holds no personal data."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=80)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_unique")
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"
