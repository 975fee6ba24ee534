"""Agency feeds (sources), what they deliver (deliveries, kept raw) and the pool of
normalised, versioned wire items the desk works from."""

from django.db import models
from django.db.models import Q

from dateline.network.models import Agency

from .crypto import EncryptedTextField


class Source(models.Model):
    """One agency feed: how it arrives, in which format, and what its contract allows."""

    class Format(models.TextChoices):
        AUTO = "auto", "Detect from the content"
        NEWSML_G2 = "newsml_g2", "IPTC NewsML-G2"
        NINJS = "ninjs", "IPTC ninjs"
        NITF = "nitf", "NITF"
        FEED = "feed", "RSS / Atom"
        # Agencies' quirks (dateline/wire/parsers/quirks.py)
        NEWSML_G2_AFP = "newsml_g2_afp", "AFP NewsML-G2, dateline in the first paragraph"
        NITF_UPI = "nitf_upi", "UPI NITF, dateline in the first paragraph"

    class Method(models.TextChoices):
        INBOX = "inbox", "Files dropped in an inbox folder"
        PUSH = "push", "HTTP push"
        POLL = "poll", "Polled feed"
        MANUAL = "manual", "Manual (dateline ingest)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        help_text="Credited in datelines of stories from this feed.",
    )
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.AUTO)
    delivery_method = models.CharField(max_length=16, choices=Method.choices, default=Method.MANUAL)
    feed_url = models.URLField(blank=True, help_text="For polled feeds.")
    # Conditional GET state of a polled feed (RFC 9110 §13.1).
    feed_etag = models.CharField(max_length=300, blank=True, editable=False)
    feed_last_modified = models.CharField(max_length=100, blank=True, editable=False)
    push_secret = EncryptedTextField(
        blank=True,
        help_text=(
            "For HTTP push: the shared secret. The agency signs the body "
            "(X-Dateline-Signature: sha256=<hex HMAC>) or sends it as a bearer token. "
            "Stored encrypted."
        ),
    )
    credentials = EncryptedTextField(
        blank=True,
        help_text="Login for the agency's feed or server, e.g. user:password. Stored encrypted.",
    )
    desk_hints = models.TextField(blank=True, help_text="Notes for the desk about this feed.")
    rights_full_text_feeds = models.BooleanField(default=False)
    rights_full_text_api = models.BooleanField(default=False)
    rights_newsletters = models.BooleanField(default=True)
    takedown_after_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days a story may stay online; empty for no limit."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RawDelivery(models.Model):
    """The bytes of a delivery exactly as they arrived, once per content (SHA-256).
    Kept in the database: written in the same transaction as the delivery's record,
    so a delivery is never recorded without its bytes, and backed up with it."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    data = models.BinaryField()
    size = models.PositiveBigIntegerField()
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "raw delivery"

    def __str__(self):
        return self.sha256


class Delivery(models.Model):
    """One arrival of a delivery (its bytes are a RawDelivery) and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Received, waiting for the worker"
        ACCEPTED = "accepted", "Accepted"
        QUARANTINED = "quarantined", "Quarantined"
        PARTIAL = "partial", "Partly quarantined"  # some of its items were refused

    # No index of its own: the (source, sha256) key leads with it.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    origin = models.CharField(max_length=500, help_text="File path, archive member or URL.")
    received_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(
        blank=True, help_text="Why it (or some of its items) was quarantined."
    )
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], name="delivery_once_per_source"),
        ]
        indexes = [models.Index(fields=["status", "-received_at"], name="delivery_status")]

    def __str__(self):
        return f"delivery {self.pk} ({self.origin})"


class WireItem(models.Model):
    """One version of one agency story, normalised. The newest version of a guid
    is current; older ones are its history."""

    class PubStatus(models.TextChoices):
        USABLE = "usable", "Usable"
        WITHHELD = "withheld", "Withheld"
        CANCELED = "canceled", "Canceled (killed)"

    # No index of its own: the (source, guid, version) key leads with it.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="items")
    guid = models.CharField(max_length=500)
    version = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    format = models.CharField(max_length=16)
    headline = models.TextField(blank=True)
    byline = models.CharField(max_length=300, blank=True)
    dateline_place = models.CharField(max_length=200, blank=True)
    dateline_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    urgency = models.PositiveSmallIntegerField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True, help_text="[{code, name}]")
    keywords = models.JSONField(default=list, blank=True)
    body_html = models.TextField(blank=True)
    signoff = models.CharField(max_length=200, blank=True)
    ednote = models.TextField(blank=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    version_created_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agency wrote this version, where it says."
    )
    pub_status = models.CharField(
        max_length=12, choices=PubStatus.choices, default=PubStatus.USABLE
    )
    content_hash = models.CharField(max_length=64)
    # The story cluster: "<source id>:<guid>" of the first item of the event seen;
    # items of other agencies (or re-sends) about the same event share it.
    # Not indexed: nothing looks items up by cluster (the desk reads its entries'
    # own indexed copy), and a new story's key lands anywhere in such an index.
    cluster_key = models.CharField(max_length=520)
    cluster_score = models.FloatField(
        null=True, blank=True, help_text="Estimated similarity to the item it was grouped with."
    )
    minhash = models.BinaryField(blank=True, default=b"", editable=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid", "version"], name="wireitem_version_once"
            ),
            models.UniqueConstraint(
                fields=["source", "guid"], condition=Q(is_current=True), name="wireitem_one_current"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "-received_at"], name="wireitem_pool")]

    def __str__(self):
        return f"{self.guid} v{self.version}"

    def is_publishable(self, now=None) -> bool:
        """Current, usable (not withheld or killed) and past any embargo."""
        from django.utils import timezone

        now = now or timezone.now()
        return (
            self.is_current
            and self.pub_status == self.PubStatus.USABLE
            and (self.embargo_until is None or self.embargo_until <= now)
        )


class ClusterBand(models.Model):
    """The locality-sensitive hashing index of near-duplicate detection: per band of
    a MinHash signature and week of the story's time, one row per story cluster
    having it, pointing at the cluster's latest item of that week (see
    dateline/wire/clusters.py). One row per cluster, not per item, bounds a lookup
    by the number of distinct stories that share a band, however many copies of one
    story arrive. The week leads the key so that new rows go to one small, recent
    part of the index instead of all over it (band keys are random): what a batch
    changes stays a few pages, however large the pool has grown.

    The key is the primary key, and on SQLite the table is a WITHOUT ROWID table
    (migration 0004): the rows live in the key's own B-tree, one tree written per
    row instead of a table, its unique index and an index of items (ingest writes
    sixteen rows per item). Django rebuilds SQLite tables for some schema changes
    without that clause: a migration that alters this model must say it again."""

    pk = models.CompositePrimaryKey("period", "band_key", "cluster_hash")
    period = models.IntegerField(help_text="clusters.period_of(at): the week of the story's time")
    band_key = models.BigIntegerField()
    cluster_hash = models.BigIntegerField(help_text="clusters.cluster_hash(cluster_key)")
    # No database-level foreign key: ingest writes these rows with the ids it has just
    # read back in the same transaction, and SQLite's check of each row's parent (a
    # look-up in the wide items table) cost as much as the insert itself, sixteen
    # times per item. No index either: nothing looks bands up by item, and items are
    # never deleted (their deliveries and desk entries protect them); were one
    # deleted, Django's cascade would still delete its rows, by a scan.
    item = models.ForeignKey(
        WireItem, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    # The story's own time (its dateline time, else when it arrived): the look-back
    # window is about the event, so a backfill of old stories matches its own days.
    at = models.DateTimeField()

    def __str__(self):
        return f"band {self.band_key} of item {self.item_id}"
