"""State changes of the newsletters: subscribing (double opt-in), preferences,
unsubscribing, suppression, erasure, and building a day's issue."""

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dateline.network.models import Network, Site

from .models import Delivery, Issue, Newsletter, Subscriber, Subscription

logger = logging.getLogger("dateline.newsletters")


def normalize_email(email: str) -> str:
    """The address as stored: trimmed, domain in lowercase (RFC 5321 §2.4: the local
    part may be case-sensitive, so it is kept; uniqueness ignores case anyway)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


def newsletters_ensure(*, network: Network | None = None) -> list[Newsletter]:
    """One newsletter per site (created with the defaults where missing); returns the
    active ones of ``network`` (or of every network), in site order."""
    sites = Site.objects.all() if network is None else network.sites.all()
    missing = sites.filter(newsletter__isnull=True)
    if missing.exists():
        Newsletter.objects.bulk_create(
            [Newsletter(site=site) for site in missing], ignore_conflicts=True
        )
    newsletters = Newsletter.objects.filter(is_active=True, site__in=sites)
    return list(newsletters.select_related("site").order_by("site__order", "site__name"))


@dataclass(frozen=True)
class SignupOutcome:
    subscriber: Subscriber
    confirmation_due: bool  # a confirmation mail is on its way


@transaction.atomic
def subscription_request(
    *, email: str, newsletters: list[Newsletter], source: str, site: Site
) -> SignupOutcome:
    """Record a request to receive ``newsletters``: pending until the address is
    confirmed. Asking again changes nothing but the request's time (no duplicates);
    newsletters already confirmed stay so. A suppressed address is mailed nothing."""
    now = timezone.now()
    email = normalize_email(email)
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=email)
        except IntegrityError:  # the same address in a concurrent request
            subscriber = Subscriber.objects.get(email__iexact=email)
    pending = 0
    for newsletter in newsletters:
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber,
            newsletter=newsletter,
            defaults={"requested_at": now, "requested_from": source[:300]},
        )
        if subscription.status == Subscription.Status.CONFIRMED:
            continue
        if not created:
            subscription.status = Subscription.Status.PENDING
            subscription.requested_at, subscription.requested_from = now, source[:300]
            subscription.save(update_fields=["status", "requested_at", "requested_from"])
        pending += 1
    due = bool(pending) and not subscriber.suppressed
    if due:
        from .tasks import confirmation_send

        subscriber_id, site_id = subscriber.id, site.id
        transaction.on_commit(lambda: confirmation_send.enqueue(subscriber_id, site_id))
    return SignupOutcome(subscriber=subscriber, confirmation_due=due)


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber, source: str) -> list[Subscription]:
    """Confirm every pending subscription of the address (the reader proved it is
    theirs); consent time and place are recorded. Confirming twice changes nothing."""
    now = timezone.now()
    pending = list(
        subscriber.subscriptions.select_for_update().filter(status=Subscription.Status.PENDING)
    )
    for subscription in pending:
        subscription.status = Subscription.Status.CONFIRMED
        subscription.confirmed_at, subscription.confirmed_from = now, source[:300]
        subscription.unsubscribed_at = None
        subscription.save(
            update_fields=["status", "confirmed_at", "confirmed_from", "unsubscribed_at"]
        )
    return pending


@transaction.atomic
def subscriptions_set(
    *, subscriber: Subscriber, newsletters: list[Newsletter], chosen: set[int], source: str
) -> None:
    """The preferences page: receive exactly the ``chosen`` newsletters among
    ``newsletters``. The link came by mail, so the address is proven: a newly chosen
    newsletter is confirmed at once."""
    now = timezone.now()
    existing = {s.newsletter_id: s for s in subscriber.subscriptions.select_for_update()}
    for newsletter in newsletters:
        subscription = existing.get(newsletter.id)
        if newsletter.id in chosen:
            if subscription is None:
                subscription = Subscription(
                    subscriber=subscriber,
                    newsletter=newsletter,
                    requested_at=now,
                    requested_from=source[:300],
                )
            if subscription.status != Subscription.Status.CONFIRMED:
                subscription.status = Subscription.Status.CONFIRMED
                subscription.confirmed_at, subscription.confirmed_from = now, source[:300]
                subscription.unsubscribed_at = None
                subscription.save()
        elif subscription is not None and subscription.status != Subscription.Status.UNSUBSCRIBED:
            subscription.status = Subscription.Status.UNSUBSCRIBED
            subscription.unsubscribed_at = now
            subscription.save(update_fields=["status", "unsubscribed_at"])


@transaction.atomic
def subscription_unsubscribe(
    *, subscriber: Subscriber, newsletter: Newsletter, issue: Issue | None = None
) -> bool:
    """Stop ``newsletter`` for the subscriber (the one-click link of ``issue``).
    Returns whether anything changed; a second click is harmless."""
    changed = (
        Subscription.objects.filter(subscriber=subscriber, newsletter=newsletter)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(
            status=Subscription.Status.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            unsubscribed_issue=issue,
        )
    )
    return bool(changed)


@transaction.atomic
def subscriber_suppress(
    *, email: str, reason: str, issue_id: int | None = None, when: datetime | None = None
) -> bool:
    """Never mail the address again (a hard bounce or a complaint reported by the
    e-mail service). The issue's delivery is marked bounced for its counts."""
    when = when or timezone.now()
    subscriber = Subscriber.objects.filter(email__iexact=normalize_email(email)).first()
    if subscriber is None:
        return False
    if not subscriber.suppressed:
        subscriber.suppressed, subscriber.suppressed_at = reason, when
        subscriber.save(update_fields=["suppressed", "suppressed_at"])
    deliveries = Delivery.objects.filter(subscriber=subscriber, state=Delivery.State.SENT)
    if issue_id:
        deliveries = deliveries.filter(issue_id=issue_id)
    latest = deliveries.order_by("-id").first()
    if latest is not None and latest.bounced_at is None:
        latest.bounced_at = when
        latest.save(update_fields=["bounced_at"])
    return True


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete the address and everything kept about it (subscriptions, consent
    records, delivery records). Links in mail already sent stop working."""
    subscriber.delete()


# -- issues -----------------------------------------------------------------------------


def newsletter_due(newsletter: Newsletter, now: datetime) -> Date | None:
    """The local date whose issue is due at ``now``, or None before the send time."""
    local = now.astimezone(zoneinfo.ZoneInfo(newsletter.site.time_zone))
    if local.time() < newsletter.send_time:
        return None
    return local.date()


def issues_due_build(*, now: datetime) -> list[str]:
    """Build every active newsletter's issue whose local send time has come today
    and that has none yet; returns what was built."""
    built = []
    for newsletter in newsletters_ensure():
        day = newsletter_due(newsletter, now)
        if day is None or Issue.objects.filter(newsletter=newsletter, date=day).exists():
            continue
        try:
            issue = issue_build(newsletter=newsletter, date=day, now=now)
        except IntegrityError:  # another worker built it
            continue
        built.append(f"{newsletter.site.slug} {day}: {issue.status}")
    return built


def issue_window_start(newsletter: Newsletter, now: datetime) -> datetime:
    """Stories after the previous issue's cut-off (the day before, for a first issue)."""
    previous = (
        Issue.objects.filter(newsletter=newsletter, window_end__lte=now)
        .order_by("-window_end")
        .values_list("window_end", flat=True)
        .first()
    )
    return previous or now - timedelta(days=1)


@transaction.atomic
def issue_build(*, newsletter: Newsletter, date: Date, now: datetime | None = None) -> Issue:
    """Freeze ``date``'s issue of ``newsletter``: the stories since the previous
    issue (only those whose source allows newsletters), and a pending delivery for
    every confirmed, unsuppressed subscriber. No new stories: the issue is recorded
    as empty and nothing is sent. Building a day twice returns the first build."""
    from .digest import issue_contents

    now = now or timezone.now()
    existing = Issue.objects.filter(newsletter=newsletter, date=date).first()
    if existing is not None:
        return existing
    start = issue_window_start(newsletter, now)
    contents = issue_contents(newsletter=newsletter, start=start, end=now, date=date)
    issue = Issue.objects.create(
        newsletter=newsletter,
        date=date,
        status=Issue.Status.READY if contents["story_count"] else Issue.Status.EMPTY,
        subject=contents["subject"],
        window_start=start,
        window_end=now,
        contents=contents,
        story_count=contents["story_count"],
    )
    if issue.status == Issue.Status.READY:
        audience_add(issue=issue)
    return issue


def audience_add(*, issue: Issue) -> int:
    """A pending delivery for each confirmed, unsuppressed subscriber not yet on the
    issue (one INSERT ... SELECT, whatever the audience's size)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletters_delivery (issue_id, subscriber_id, state, attempts, error)
            SELECT %s, s.subscriber_id, 'pending', 0, ''
              FROM newsletters_subscription s
              JOIN newsletters_subscriber r ON r.id = s.subscriber_id
             WHERE s.newsletter_id = %s AND s.status = 'confirmed' AND r.suppressed = ''
               AND NOT EXISTS (SELECT 1 FROM newsletters_delivery d
                                WHERE d.issue_id = %s AND d.subscriber_id = s.subscriber_id)
            """,
            [issue.id, issue.newsletter_id, issue.id],
        )
        return cursor.rowcount
