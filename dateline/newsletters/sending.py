"""Sending an issue: resumable, in batches over reused connections, at a set rate.

The protocol (each step committed before the next):

1. A sender takes the issue's lease (one sender per issue; renewed every batch).
2. Rows still ``sending`` from a previous sender were in flight when it died: the
   server may or may not have accepted them. They become ``uncertain`` and are
   never sent again (nobody gets an issue twice).
3. Then, batch by batch: mark up to DATELINE_NEWSLETTER_BATCH pending rows
   ``sending``; hand each message to the server; mark the accepted ones ``sent``,
   the refused ones ``failed`` (5xx) or ``pending`` again (4xx, up to 3 attempts).
   A connection lost in the middle of a message makes that one ``uncertain``; the
   rest of the batch goes back to ``pending``.
4. No pending rows left: the issue is ``sent``.

So a sender killed at any point leaves at most one batch in doubt, and a restart
serves everyone else exactly once (tests/newsletters/test_sending.py kills one with
SIGKILL over and over and counts the copies at the SMTP server).
"""

import contextlib
import logging
import secrets
import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db.models import F
from django.utils import timezone

from dateline.ops.metrics import newsletter_message
from dateline.sql import fetch_rows

from .digest import from_address, issue_html, issue_text
from .mail import IssueMessage
from .models import Delivery, Issue
from .tokens import manage_token

logger = logging.getLogger("dateline.newsletters")

MAX_ATTEMPTS = 3


@dataclass
class SendReport:
    issue_id: int
    claimed: bool = False
    sent: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    uncertain: int = 0
    finished: bool = False
    note: str = ""
    errors: list[str] = field(default_factory=list)


class LeaseLost(Exception):
    """Another sender took the issue (ours expired): stop at once."""


def issue_message(issue: Issue) -> IssueMessage:
    """The issue rendered once for every recipient."""
    newsletter = issue.newsletter
    network = newsletter.site.network
    name, address = from_address(newsletter)
    host = newsletter.site.host
    return IssueMessage(
        from_name=name,
        from_addr=address,
        subject=issue.subject,
        html=issue_html(issue.contents, network=network),
        text=issue_text(issue.contents, network=network),
        list_id=f"{newsletter.site.name} daily <{newsletter.site.slug}.newsletters.{host}>",
        message_id_domain=host,
        unsubscribe_mailto=settings.DATELINE_NEWSLETTER_UNSUBSCRIBE_MAILTO,
    )


def recipient_links(issue: Issue, subscriber_id: int, key: str) -> tuple[str, str]:
    """(preferences URL, one-click unsubscribe URL) for one recipient of ``issue``."""
    token = manage_token(subscriber_id=subscriber_id, key=key, issue_id=issue.id)
    base = issue.newsletter.site.base_url
    return f"{base}/newsletters/preferences/{token}/", f"{base}/newsletters/unsubscribe/{token}/"


def _claim(issue_id: int, token: str) -> bool:
    now = timezone.now()
    lease = timedelta(seconds=settings.DATELINE_NEWSLETTER_LEASE_SECONDS)
    claimed = (
        Issue.objects.filter(pk=issue_id, status__in=[Issue.Status.READY, Issue.Status.SENDING])
        .exclude(sender_lease_until__gt=now)
        .update(sender_token=token, sender_lease_until=now + lease, status=Issue.Status.SENDING)
    )
    if claimed:
        Issue.objects.filter(pk=issue_id, send_started_at__isnull=True).update(send_started_at=now)
    return bool(claimed)


def _renew(issue_id: int, token: str) -> None:
    lease = timedelta(seconds=settings.DATELINE_NEWSLETTER_LEASE_SECONDS)
    if not Issue.objects.filter(pk=issue_id, sender_token=token).update(
        sender_lease_until=timezone.now() + lease
    ):
        raise LeaseLost(f"issue {issue_id}: another sender holds it now")


def _release(issue_id: int, token: str, *, finished: bool) -> None:
    changes = {"sender_token": "", "sender_lease_until": None}
    if finished:
        changes.update(status=Issue.Status.SENT, send_finished_at=timezone.now())
    Issue.objects.filter(pk=issue_id, sender_token=token).update(**changes)


def _set_state(ids, state: str, *, error: str = "") -> None:
    if not ids:
        return
    changes = {"state": state, "updated_at": timezone.now()}
    if error:
        changes["error"] = error[:300]
    for start in range(0, len(ids), 500):
        Delivery.objects.filter(pk__in=ids[start : start + 500]).update(**changes)


# One batch: the pending deliveries of the issue, with what the message needs and
# whether the subscriber still wants it (confirmed, not suppressed).
_BATCH_SQL = """
SELECT d.id, d.subscriber_id, d.attempts, r.email, r.key,
       CASE WHEN r.suppressed = '' AND s.status = 'confirmed' THEN 1 ELSE 0 END
  FROM newsletters_delivery d
  JOIN newsletters_subscriber r ON r.id = d.subscriber_id
  LEFT JOIN newsletters_subscription s
         ON s.subscriber_id = d.subscriber_id AND s.newsletter_id = %s
 WHERE d.issue_id = %s AND d.state = 'pending'
 ORDER BY d.id
 LIMIT %s
"""


class _Transport:
    """One open connection of the configured backend; raw SMTP when it can."""

    def __init__(self):
        self.backend = None
        self.used = 0

    def open(self):
        self.backend = mailers.default
        self.backend.open()
        self.used = 0
        self.raw = hasattr(self.backend, "send_raw")

    def close(self):
        if self.backend is not None:
            with contextlib.suppress(Exception):  # closing a dead connection
                self.backend.close()
            self.backend = None

    def send(self, message: IssueMessage, *, issue, to, message_id, links) -> None:
        if self.backend is None or (
            settings.DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION
            and self.used >= settings.DATELINE_NEWSLETTER_MESSAGES_PER_CONNECTION
        ):
            self.close()
            self.open()
        self.used += 1
        preferences_url, unsubscribe_url = links
        if self.raw:
            data = message.build(
                to=to,
                message_id=message_id,
                preferences_url=preferences_url,
                unsubscribe_url=unsubscribe_url,
            )
            self.backend.send_raw(message.from_addr, [to], data)
        else:
            email = message.build_email(
                to=to,
                message_id=message_id,
                preferences_url=preferences_url,
                unsubscribe_url=unsubscribe_url,
            )
            # Echoed back by the services' webhooks (anymail metadata): bounces find the issue.
            email.metadata = {"issue": str(issue.id)}
            email.from_email = message.from_header
            if not self.backend.send_messages([email]):
                raise smtplib.SMTPException("the e-mail backend did not send the message")


def _refusal(error) -> tuple[str, str] | None:
    """(state, reason) for a message the server answered and refused; None when the
    outcome is unknown (the connection failed while the message was in flight)."""
    code = None
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, _text = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
    else:
        status = getattr(error, "status_code", None)  # anymail: the service answered
        if status is not None:
            code = 500 if 400 <= status < 500 else 400
        elif type(error).__name__ == "AnymailRecipientsRefused":
            code = 550
    if code is None:
        return None
    return ("failed" if code >= 500 else "pending"), f"{code} {type(error).__name__}"


class _Pace:
    """Keeps the configured rate and renews the lease during slow batches (a low
    rate, a slow server), so that no other sender takes the issue meanwhile."""

    def __init__(self, issue_id: int, token: str):
        self.issue_id, self.token = issue_id, token
        self.rate = settings.DATELINE_NEWSLETTER_RATE
        self.renew_every = settings.DATELINE_NEWSLETTER_LEASE_SECONDS / 3
        self.started = self.renewed = time.monotonic()
        self.handed = 0

    def renew(self) -> None:
        _renew(self.issue_id, self.token)
        self.renewed = time.monotonic()

    def after_message(self) -> None:
        self.handed += 1
        if time.monotonic() - self.renewed > self.renew_every:
            self.renew()
        if self.rate:
            ahead = self.handed / self.rate - (time.monotonic() - self.started)
            if ahead > 0:
                time.sleep(ahead)


def _send_batch(batch, *, issue, message, transport, pace, report) -> None:
    """Hand a batch (already committed as ``sending``) to the server and record each
    outcome; a connection lost mid-message re-raises after recording."""
    sent, failed, retry = [], [], []

    def record():
        _set_state(sent, Delivery.State.SENT)
        _set_state(failed, Delivery.State.FAILED, error="refused by the server")
        _set_state(retry, Delivery.State.PENDING, error="deferred by the server")
        report.sent += len(sent)
        report.failed += len(failed)
        report.retried += len(retry)
        newsletter_message("sent", len(sent))
        newsletter_message("failed", len(failed))

    for index, (delivery_id, subscriber_id, attempts, email, key, _wanted) in enumerate(batch):
        try:
            transport.send(
                message,
                issue=issue,
                to=email,
                message_id=message.message_id(issue_id=issue.id, subscriber_id=subscriber_id),
                links=recipient_links(issue, subscriber_id, key),
            )
        except Exception as error:  # noqa: BLE001 - sorted into refused / unknown
            refusal = _refusal(error)
            if refusal is None:
                # Lost mid-message: this one is in doubt, the rest never left.
                record()
                _set_state([delivery_id], Delivery.State.UNCERTAIN, error=str(error)[:200])
                _set_state([row[0] for row in batch[index + 1 :]], Delivery.State.PENDING)
                report.uncertain += 1
                transport.close()
                raise
            state, reason = refusal
            if state == "pending" and attempts + 1 >= MAX_ATTEMPTS:
                state = "failed"
            (retry if state == "pending" else failed).append(delivery_id)
            report.errors.append(reason)
            continue
        sent.append(delivery_id)
        try:
            pace.after_message()
        except LeaseLost:
            record()  # what was accepted is recorded; the rest stays in doubt
            raise
    record()


def issue_send(*, issue_id: int, max_batches: int | None = None) -> SendReport:
    """Send the issue to everyone not yet served (see the module's docstring)."""
    report = SendReport(issue_id=issue_id)
    token = secrets.token_hex(8)
    if not _claim(issue_id, token):
        status = Issue.objects.filter(pk=issue_id).values_list("status", flat=True).first()
        report.note = "already sent" if status == Issue.Status.SENT else "held by another sender"
        return report
    report.claimed = True
    issue = Issue.objects.select_related("newsletter__site__network").get(pk=issue_id)
    report.uncertain = Delivery.objects.filter(issue=issue, state=Delivery.State.SENDING).update(
        state=Delivery.State.UNCERTAIN,
        updated_at=timezone.now(),
        error="in flight when the previous sender stopped",
    )
    message = issue_message(issue)
    transport, pace = _Transport(), _Pace(issue_id, token)
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            pace.renew()
            rows = fetch_rows(
                _BATCH_SQL, [issue.newsletter_id, issue_id, settings.DATELINE_NEWSLETTER_BATCH]
            )
            if not rows:
                report.finished = True
                break
            batches += 1
            unwanted = [row[0] for row in rows if not row[5]]
            _set_state(unwanted, Delivery.State.SKIPPED)
            report.skipped += len(unwanted)
            batch = [row for row in rows if row[5]]
            ids = [row[0] for row in batch]
            # Committed before anything reaches the server (autocommit).
            for start in range(0, len(ids), 500):
                Delivery.objects.filter(pk__in=ids[start : start + 500]).update(
                    state=Delivery.State.SENDING, attempts=F("attempts") + 1
                )
            _send_batch(
                batch, issue=issue, message=message, transport=transport, pace=pace, report=report
            )
    finally:
        transport.close()
        _release(issue_id, token, finished=report.finished)
    if report.finished:
        report.failed = Delivery.objects.filter(issue_id=issue_id, state="failed").count()
    return report


def issue_send_test(*, issue_contents: dict, newsletter, subject: str, to: str) -> None:
    """Send one copy of an issue (built or not) to ``to``, marked as a test; its
    links work for nobody (subscriber 0 does not exist)."""
    network = newsletter.site.network
    name, address = from_address(newsletter)
    message = IssueMessage(
        from_name=name,
        from_addr=address,
        subject=f"[TEST] {subject}",
        html=issue_html(issue_contents, network=network),
        text=issue_text(issue_contents, network=network),
        list_id=f"{newsletter.site.name} daily <{newsletter.site.slug}.newsletters.{newsletter.site.host}>",
        message_id_domain=newsletter.site.host,
    )
    base = newsletter.site.base_url
    email = message.build_email(
        to=to,
        message_id=f"<test-{secrets.token_hex(8)}@{newsletter.site.host}>",
        preferences_url=f"{base}/newsletters/",
        unsubscribe_url=f"{base}/newsletters/",
    )
    email.send()
