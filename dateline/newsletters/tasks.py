"""Background tasks of the newsletters (run by `dateline worker`). Each is safe to
run twice: confirmation mail is idempotent enough (a second copy of the same link),
a build returns the existing issue, a send serves only those not yet served."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template import engines
from django.utils import timezone

from dateline.network.models import Site

from .models import Issue, Subscriber, Subscription
from .sending import issue_send
from .services import issues_due_build
from .tokens import confirm_token, manage_token

logger = logging.getLogger("dateline.newsletters")


@task()
def confirmation_send(subscriber_id: int, site_id: int) -> str:
    """Mail the confirmation link for the subscriber's pending subscriptions."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    site = Site.objects.filter(pk=site_id).first()
    if subscriber is None or site is None or subscriber.suppressed:
        return "nothing to send"
    pending = list(
        subscriber.subscriptions.filter(status=Subscription.Status.PENDING).select_related(
            "newsletter__site"
        )
    )
    if not pending:
        return "nothing pending"
    link = f"{site.base_url}/newsletters/confirm/{confirm_token(subscriber_id=subscriber.id, key=subscriber.key)}/"
    manage = manage_token(subscriber_id=subscriber.id, key=subscriber.key)
    context = {
        "site": site,
        "link": link,
        "preferences": f"{site.base_url}/newsletters/preferences/{manage}/",
        "names": [s.newsletter.site.name for s in pending],
        "days": settings.DATELINE_NEWSLETTER_CONFIRM_DAYS,
    }
    env = engines["jinja2"]
    message = EmailMultiAlternatives(
        subject=f"Confirm your free {site.name} newsletter subscription",
        body=env.get_template("newsletters/email/confirm.txt").render(context),
        from_email=f"{site.name} <{settings.DATELINE_NEWSLETTER_FROM}>",
        to=[subscriber.email],
    )
    message.attach_alternative(
        env.get_template("newsletters/email/confirm.html").render(context), "text/html"
    )
    message.send()
    return "sent"


@task()
def issue_send_task(issue_id: int) -> dict:
    """Send (or go on sending) an issue; a lost connection raises, and the worker
    retries with backoff."""
    report = issue_send(issue_id=issue_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "uncertain": report.uncertain,
        "skipped": report.skipped,
        "finished": report.finished,
        "note": report.note,
    }


@task()
def newsletters_tick() -> dict:
    """Every minute: build each newsletter's issue once its local send time has come
    (once per local day), and start or resume the sends that have no live sender."""
    now = timezone.now()
    built = issues_due_build(now=now)
    resumed = 0
    for issue_id in (
        Issue.objects.filter(status__in=[Issue.Status.READY, Issue.Status.SENDING])
        .exclude(sender_lease_until__gt=now)
        .values_list("pk", flat=True)
    ):
        issue_send_task.enqueue(issue_id)
        resumed += 1
    return {"built": built, "sends started": resumed}
