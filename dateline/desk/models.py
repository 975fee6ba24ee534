"""The desk's view of the wire pool: one entry per agency story (all versions of a
guid), what the desk decided about it, the routing rules, the front pins, the
learned suggestion model and the audit log."""

from django.conf import settings
from django.db import models

from dateline.articles.models import Story
from dateline.network.models import Section
from dateline.wire.models import Source, WireItem


class Rule(models.Model):
    """A chief editor's routing rule: items that match every condition given are
    suggested for ``section`` and, for a trusted feed, published there
    automatically, at most ``daily_cap`` a day (in the site's time zone)."""

    name = models.CharField(max_length=120, unique=True)
    order = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    is_active = models.BooleanField(default=True)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="+", help_text="Any of these sources; none: any source."
    )
    subjects = models.TextField(
        blank=True,
        help_text="Subject codes or names, one per line; an item matches if it has any of them.",
    )
    keywords = models.TextField(
        blank=True,
        help_text=(
            "Words or phrases, one per line; an item matches if its headline or text "
            "contains any of them (whole words, any case)."
        ),
    )
    urgency_at_most = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only items this urgent or more (1 is the most urgent)."
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    auto_publish = models.BooleanField(
        default=False, help_text="Publish matching items at once (trusted feeds only)."
    )
    daily_cap = models.PositiveIntegerField(
        default=20, help_text="At most this many automatic publications a day."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def subject_list(self) -> list[str]:
        return [line.strip().lower() for line in self.subjects.splitlines() if line.strip()]

    def keyword_list(self) -> list[str]:
        return [line.strip().lower() for line in self.keywords.splitlines() if line.strip()]


class DeskEntry(models.Model):
    """One agency story in the pool, across its versions, and the desk's decision."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        PUBLISHED = "published", "Published"
        SPIKED = "spiked", "Spiked"
        KILLED = "killed", "Killed"

    # No index of its own: the (source, guid) key leads with it.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+", db_index=False)
    guid = models.CharField(max_length=500)
    item = models.ForeignKey(
        WireItem, on_delete=models.PROTECT, related_name="+", help_text="The current version."
    )
    received_at = models.DateTimeField(help_text="When the current version arrived.")
    first_received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    cluster_key = models.CharField(max_length=520, blank=True)
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="desk_entries"
    )
    story_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The wire version the story's text came from."
    )
    text_edited = models.BooleanField(
        default=False, help_text="The desk changed the text: wire updates wait for the desk."
    )
    pending_item = models.ForeignKey(
        WireItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A newer version the desk has not accepted or ignored yet.",
    )
    # No index of its own: deskentry_suggested leads with it.
    suggested_section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    suggestion_confidence = models.FloatField(null=True, blank=True)
    suggestions = models.JSONField(
        default=list, blank=True, help_text="Up to three [section id, confidence] pairs."
    )
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # False until rules, suggestions, wire updates and kills have been applied to the
    # current version (right after ingest commits; a sweep catches up after a crash).
    routed = models.BooleanField(default=False)
    # When the desk's view of it last changed (status, story, suggestion): open desk
    # screens poll for rows changed since they last asked.
    changed_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name_plural = "desk entries"
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="deskentry_once_per_guid"),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="deskentry_pool"),
            models.Index(fields=["status", "-received_at", "-id"], name="deskentry_status"),
            models.Index(fields=["cluster_key"], name="deskentry_cluster"),
            models.Index(
                fields=["suggested_section", "-received_at", "-id"], name="deskentry_suggested"
            ),
            models.Index(
                fields=["id"], name="deskentry_unrouted", condition=models.Q(routed=False)
            ),
        ]
        permissions = [
            ("use_desk", "Can use the desk (publish, edit, spike, schedule)"),
            ("withdraw_any", "Can withdraw any story, not only those they published"),
        ]

    def __str__(self):
        return f"{self.source.slug}:{self.guid}"


class SuggestionModel(models.Model):
    """A trained section classifier (scikit-learn pipeline, joblib bytes). The newest
    one suggests; older ones are kept for comparison until pruned."""

    trained_at = models.DateTimeField(auto_now_add=True)
    sample_count = models.PositiveIntegerField()
    class_count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        get_latest_by = "trained_at"

    def __str__(self):
        return f"classifier of {self.trained_at:%Y-%m-%d %H:%M} ({self.sample_count} stories)"


class AuditEntry(models.Model):
    """Who did what, when: every publish, edit, spike, withdraw and rule change."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.CharField(max_length=160, help_text="The user, or the rule or wire event.")
    action = models.CharField(max_length=40, db_index=True)
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.ForeignKey(
        DeskEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
