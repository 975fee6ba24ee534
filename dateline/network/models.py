"""The network, its sites and sections, and the agencies credited in datelines."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name (e.g. Australia/Sydney).")


host_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
    "Enter a lowercase host name without scheme, port or path, e.g. spacewar.example.com.",
)


class Network(models.Model):
    """The publisher behind every site: its name and the notices in every footer."""

    name = models.CharField(max_length=120)
    copyright_notice = models.TextField(
        help_text="Shown in every footer. {years} is replaced by e.g. 1995-2026.",
    )
    first_year = models.PositiveSmallIntegerField(
        help_text="First year of the copyright range in the footer."
    )
    privacy_statement = models.TextField(help_text="The text of every site's privacy page.")

    def __str__(self):
        return self.name


class Site(models.Model):
    """One website of the network, answering on its own host name."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. spacewar.")
    host = models.CharField(
        max_length=253,
        unique=True,
        validators=[host_validator],
        help_text="The host name readers use, without port, e.g. spacewar.example.com.",
    )
    tagline = models.CharField(max_length=160, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=12, default="en")
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Datelines, archives and URLs use dates in this zone.",
    )

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(Lower("host"), name="site_host_lower_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def base_url(self) -> str:
        return public_base_url(self.host)


# Top-level paths of every site; a section slug cannot take them.
RESERVED_SECTION_SLUGS = frozenset(
    {"admin", "static", "archive", "privacy", "media", "api", "wire", "feeds", "search", "network"}
    | {"comments", "share", "promo", "accounts", "support", "newsletters"}
)
# The probes and metrics, answered on every host by dateline.ops.middleware.
RESERVED_SECTION_SLUGS = RESERVED_SECTION_SLUGS | {"healthz", "readyz", "metrics"}


def validate_section_slug(value):
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(f"{value!r} is a reserved path of every site; choose another slug.")


class Section(models.Model):
    """A topical section of one site, e.g. SpaceWar's "Iraq Wars"."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=60, validators=[validate_section_slug])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="section_slug_unique_per_site"),
        ]

    def __str__(self):
        return f"{self.site.name} / {self.name}"


class RelatedLink(models.Model):
    """A link curated for a section, listed under "Related Links" on its articles."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="related_links")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Agency(models.Model):
    """Who a story is credited to in its dateline: a wire agency, a press office,
    or the network's own desk ("Staff Writers"). Not the feed a story arrives by."""

    class Kind(models.TextChoices):
        WIRE = "wire", "Wire agency"
        PRESS_OFFICE = "press_office", "Press office"
        STAFF = "staff", "Network staff"

    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9-]+$", "Letters, digits and hyphens only.")],
        help_text="As printed in datelines, e.g. AFP.",
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.WIRE)
    copyright_holder = models.CharField(
        max_length=160,
        blank=True,
        help_text="Named in the footer's attribution notice; empty for the network's own desk.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return f"{self.code} ({self.name})"


def public_base_url(host: str) -> str:
    """The address readers use for ``host``: scheme and port come from settings
    (https and no port in production; the demo serves http on :8000)."""
    from django.conf import settings

    scheme = getattr(settings, "DATELINE_PUBLIC_SCHEME", "https")
    port = getattr(settings, "DATELINE_PUBLIC_PORT", "")
    return f"{scheme}://{host}{':' + str(port) if port else ''}"
