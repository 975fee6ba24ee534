"""Free daily newsletters: one per site, double opt-in subscribers, issues and
the delivery record of every (issue, subscriber) pair."""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from dateline.network.models import Site


def _subscriber_key() -> str:
    return secrets.token_urlsafe(12)


class Newsletter(models.Model):
    """A site's free daily digest, sent once a day at ``send_time`` in the site's zone."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="newsletter")
    is_active = models.BooleanField(
        default=True, help_text="Inactive newsletters are not offered and not sent."
    )
    send_time = models.TimeField(
        default="06:00", help_text="Local time of day (the site's time zone) the issue goes out."
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="One line on the signup page."
    )
    max_stories = models.PositiveSmallIntegerField(default=60)

    class Meta:
        ordering = ["site__order", "site__name"]

    def __str__(self):
        return f"{self.site.name} daily"


class Subscriber(models.Model):
    """An e-mail address and nothing else. ``key`` is a random secret that every
    link in our mail carries (inside a signed token), so that a link cannot be
    turned against another subscriber even if ids are reused."""

    class Suppression(models.TextChoices):
        NONE = "", "Not suppressed"
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Spam complaint"
        REJECTED = "rejected", "Rejected by the e-mail service"

    email = models.EmailField(max_length=254)
    key = models.CharField(max_length=32, default=_subscriber_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    suppressed = models.CharField(
        max_length=12, choices=Suppression.choices, default="", blank=True
    )
    suppressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_lower_unique"),
        ]
        permissions = [("export_subscriber", "Can export a subscriber's personal data")]

    def __str__(self):
        return self.email


class Subscription(models.Model):
    """One subscriber on one newsletter, with the record of consent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    requested_from = models.CharField(
        max_length=300, help_text="Where the request came from (page address and form)."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="Time of consent.")
    confirmed_from = models.CharField(max_length=300, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_issue = models.ForeignKey(
        "Issue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unsubscriptions",
        help_text="The issue whose link was used to unsubscribe.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="subscription_once_per_newsletter"
            ),
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="subscription_audience")]

    def __str__(self):
        return f"{self.subscriber} on {self.newsletter}"


class Issue(models.Model):
    """One day's digest of one newsletter. Built once (its contents frozen), then sent."""

    class Status(models.TextChoices):
        EMPTY = "empty", "No new stories (not sent)"
        READY = "ready", "Built, waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    date = models.DateField(help_text="The local date of the issue, in the site's time zone.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.READY)
    subject = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    contents = models.JSONField(default=dict, help_text="Sections and stories, as sent.")
    story_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)
    # The sender holding the issue: one at a time, renewed every batch (see sending.py).
    sender_token = models.CharField(max_length=32, blank=True, editable=False)
    sender_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "newsletter__site__order"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "date"], name="issue_once_per_day"),
        ]
        permissions = [("send_test_issue", "Can preview an issue and send a test to oneself")]

    def __str__(self):
        return f"{self.newsletter.site.name}, {self.date:%b %d, %Y}"


class Delivery(models.Model):
    """One issue to one subscriber. ``sending`` is committed before the message is
    handed to the mail server and ``sent`` after it accepted it; a ``sending`` row
    found by a new sender was in flight when the previous one died: its fate is
    unknown, so it becomes ``uncertain`` and is never sent again."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNCERTAIN = "uncertain", "Uncertain (in flight at a crash)"
        SKIPPED = "skipped", "Skipped (unsubscribed or suppressed before sending)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_once"),
        ]
        indexes = [models.Index(fields=["issue", "state", "id"], name="delivery_queue")]

    def __str__(self):
        return f"{self.issue} to subscriber {self.subscriber_id}: {self.state}"


class CaughtMail(models.Model):
    """A message caught by the demo's local SMTP catcher (``dateline mailcatcher``)."""

    received_at = models.DateTimeField(auto_now_add=True)
    mail_from = models.CharField(max_length=300)
    recipients = models.TextField()
    subject = models.CharField(max_length=300, blank=True)
    raw = models.BinaryField()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "caught mail (demo)"
        verbose_name_plural = "caught mail (demo)"

    def __str__(self):
        return self.subject or "(no subject)"


# Addresses that are never mailed again (see services.subscriber_suppress).
SENDABLE = Q(subscriber__suppressed="")
