"""Stories, where they are placed, and the fragments shared by many pages."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dateline.network.models import Agency, Section, Site


class Story(models.Model):
    """One edited story. Readers see it through its placements."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    headline = models.CharField(max_length=255)
    byline = models.CharField(
        max_length=160, blank=True, help_text='Without "By", e.g. "Staff Writers".'
    )
    dateline_place = models.CharField(max_length=120, blank=True, help_text="e.g. Baghdad")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="stories")
    source = models.ForeignKey(
        "wire.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stories",
        help_text="The feed it came from; its contract decides where full text may go. "
        "Empty for the network's own stories.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When readers could first see it."
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the published story was last changed in substance."
    )
    body = models.TextField(help_text="Sanitised HTML: paragraphs, subheads, lists, links.")
    signoff = models.CharField(max_length=80, blank=True, help_text="e.g. burs/srm/del")
    teaser = models.TextField(max_length=600, blank=True)
    withdrawn_notice = models.CharField(
        max_length=300, blank=True, help_text="Shown to readers of a withdrawn story."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(published_at__isnull=False),
                name="story_published_has_time",
            ),
        ]

    def __str__(self):
        return self.headline


class Placement(models.Model):
    """A story on one section of one site, at its own URL. One placement of a story
    is canonical: the URL other copies name in ``<link rel="canonical">``."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="placements")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="placements")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="placements")
    slug = models.SlugField(max_length=120, allow_unicode=False)
    path = models.CharField(max_length=300, help_text="URL path on the site, set on publish.")
    is_canonical = models.BooleanField(default=False)
    # Copied from the story by the services so that fronts read one index, newest first.
    published_at = models.DateTimeField(null=True, blank=True)
    is_live = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "path"], name="placement_path_unique_per_site"),
            models.UniqueConstraint(
                fields=["story"], condition=Q(is_canonical=True), name="one_canonical_placement"
            ),
            models.UniqueConstraint(fields=["story", "section"], name="placement_once_per_section"),
        ]
        indexes = [
            models.Index(
                fields=["section", "is_live", "-published_at", "-id"],
                name="placement_section_front",
            ),
            models.Index(
                fields=["site", "is_live", "-published_at", "-id"], name="placement_site_front"
            ),
            # The network feed: canonical placements of every site, newest first.
            models.Index(
                fields=["is_canonical", "is_live", "-published_at", "-id"],
                name="placement_canonical",
            ),
        ]

    def __str__(self):
        return self.path


class PathRedirect(models.Model):
    """An old URL of a placement (its slug or section changed), answered with a 301."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    old_path = models.CharField(max_length=300)
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "old_path"], name="redirect_path_unique_per_site"
            ),
        ]

    def __str__(self):
        return f"{self.old_path} -> {self.placement.path}"


class Fragment(models.Model):
    """A rendered region shared by many pages (a section's headline block, a site's
    footer), rendered once and included. The publishing services delete the
    fragments a change affects; the next page view renders them again."""

    key = models.CharField(max_length=120, primary_key=True)
    html = models.TextField(blank=True)
    version = models.PositiveBigIntegerField(default=0)
    fresh = models.BooleanField(default=False)

    def __str__(self):
        return self.key


class FrontPin(models.Model):
    """The lead story of a front: the home page (no section) or a section front."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    story = models.ForeignKey("Story", on_delete=models.CASCADE, related_name="+")
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "section"],
                name="frontpin_one_per_section",
                condition=models.Q(section__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["site"], name="frontpin_one_per_home", condition=models.Q(section=None)
            ),
        ]

    def __str__(self):
        return f"lead of {self.section or self.site}: story {self.story_id}"
