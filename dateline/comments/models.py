"""Readers' comments under articles, the per-site choice of comment system, reports
and banned addresses."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from dateline.network.models import Site


class SiteComments(models.Model):
    """How one site takes comments. A site without a row has built-in comments with
    pre-moderation (``comment_settings_for`` returns that default)."""

    class Mode(models.TextChoices):
        BUILTIN = "builtin", "Built-in comments"
        DISQUS = "disqus", "Disqus embed"
        OFF = "off", "No comments"

    class Moderation(models.TextChoices):
        PRE = "pre", "Pre-moderation: a moderator approves each comment before it shows"
        POST = "post", "Post-moderation: comments show at once; reports bring them back"

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, primary_key=True, related_name="comment_settings"
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.BUILTIN)
    moderation = models.CharField(max_length=8, choices=Moderation.choices, default=Moderation.PRE)
    disqus_shortname = models.CharField(
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[a-z0-9-]+$", "Lowercase letters, digits and hyphens.")],
        help_text="The site's Disqus shortname (required for the Disqus embed).",
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="Comments with more links than this are refused."
    )
    hide_after_reports = models.PositiveSmallIntegerField(
        default=3,
        help_text="A published comment that this many readers report goes back to the queue.",
    )

    class Meta:
        verbose_name = "site comment settings"
        verbose_name_plural = "site comment settings"
        constraints = [
            models.CheckConstraint(
                condition=~Q(mode="disqus") | ~Q(disqus_shortname=""),
                name="disqus_mode_needs_shortname",
            ),
        ]

    def __str__(self):
        return f"Comments on {self.site}"


class Comment(models.Model):
    """One reader's comment on a story as shown on one site, possibly a reply."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Waiting for e-mail verification"
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Published"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"
        DELETED = "deleted", "Deleted"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="comments")
    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author_name = models.CharField(max_length=80)
    author_email = models.EmailField(max_length=254, help_text="Never shown to readers.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The social login the comment was posted with, if any.",
    )
    body_source = models.TextField(help_text="Exactly what the reader typed, kept verbatim.")
    body_html = models.TextField(help_text="What readers see: paragraphs and links only.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNVERIFIED)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    report_count = models.PositiveIntegerField(default=0)
    spam_verdict = models.CharField(
        max_length=40, blank=True, help_text="What the spam checks said, e.g. akismet:spam."
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["story", "site", "status", "created_at"], name="comment_thread"),
            models.Index(fields=["status", "created_at"], name="comment_queue"),
        ]
        permissions = [
            ("moderate_comment", "Can approve, reject and delete comments"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.story_id}: {self.body_source[:60]}"


class CommentReport(models.Model):
    """A reader's report of a comment. One per reader (by hashed address) and comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abusive or hateful"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    reporter_key = models.CharField(
        max_length=64, help_text="A keyed hash of the reporter's IP address, not the address."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_key"], name="one_report_per_reader"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class BannedAddress(models.Model):
    """An e-mail address that may not comment on any site of the network."""

    email = models.EmailField(max_length=254, unique=True, help_text="Stored lowercase.")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "banned addresses"
        ordering = ["-created_at"]

    def __str__(self):
        return self.email


class QueuedComment(Comment):
    """The moderation queue: comments waiting for a moderator, and published ones
    readers have reported."""

    class Meta:
        proxy = True
        verbose_name = "comment in the moderation queue"
        verbose_name_plural = "moderation queue"
