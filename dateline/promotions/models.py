"""House promotions: creatives shown in slots of the pages, their daily counters,
and each site's ads.txt."""

from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q

from dateline.network.models import Site

web_url_validator = URLValidator(schemes=["http", "https"])


class Promotion(models.Model):
    """One creative (text, or an image) with the link it leads to, shown in one slot
    of the sites it targets, within its schedule, chosen by weight among its rivals."""

    class Slot(models.TextChoices):
        SIDEBAR = "sidebar", "Sidebar block"
        AFTER_ARTICLE = "after_article", "After the article"
        FOOTER = "footer", "Footer: network promotions"

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"

    name = models.CharField(max_length=120, help_text="For the desk only.")
    slot = models.CharField(max_length=16, choices=Slot.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    headline = models.CharField(max_length=120, help_text="The link's text (or the image's title).")
    text = models.CharField(max_length=300, blank=True, help_text="A line under the headline.")
    url = models.URLField(
        max_length=500,
        validators=[web_url_validator],
        help_text="Where a click leads (http or https). Clicks go through /promo/<id>/click/.",
    )
    sponsor = models.CharField(
        max_length=120, blank=True, help_text='Shown as "Promoted by ..."; empty for house ads.'
    )
    image = models.BinaryField(null=True, blank=True, editable=False)
    image_type = models.CharField(max_length=20, blank=True, editable=False)
    image_alt = models.CharField(max_length=200, blank=True, help_text="Text for screen readers.")
    weight = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Relative share among the promotions of a slot (10 shows twice as often as 5).",
    )
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: from now.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until switched off.")
    sites = models.ManyToManyField(
        Site, blank=True, related_name="promotions", help_text="Empty: every site of the network."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot", "-weight", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="promotion_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="promotion_url_is_web",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="promotion_weight_positive"),
        ]

    def __str__(self):
        return self.name


class PromotionDailyStats(models.Model):
    """Impressions and clicks of a promotion on one day (UTC), aggregated: a row per
    promotion and day, not per view."""

    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="daily_stats")
    day = models.DateField()
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name_plural = "promotion daily stats"
        constraints = [
            models.UniqueConstraint(fields=["promotion", "day"], name="one_stats_row_per_day"),
        ]

    def __str__(self):
        return f"{self.promotion} on {self.day}"


class AdsTxt(models.Model):
    """A site's /ads.txt (IAB Tech Lab ads.txt 1.1): who may sell its advertising."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, primary_key=True, related_name="ads_txt"
    )
    content = models.TextField(
        blank=True,
        help_text="One record per line: domain, publisher account ID, DIRECT or RESELLER[, "
        "certification authority ID]. Lines starting with # are comments; contact=, "
        "subdomain=, ownerdomain= and managerdomain= are variables.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ads.txt"
        verbose_name_plural = "ads.txt files"

    def __str__(self):
        return f"ads.txt of {self.site}"
