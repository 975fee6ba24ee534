"""E-mail services report bounces and complaints to django-anymail's tracking
webhooks (/newsletters/webhooks/<service>/tracking/); anymail checks the service's
signature (and the shared basic-auth secret) before this receiver sees anything."""

from anymail.signals import tracking
from django.dispatch import receiver

from dateline.ops.metrics import webhook_outcome

from .services import subscriber_suppress

# anymail's normalised event types that end mail to an address. A "bounced" event is
# a permanent failure (temporary ones are "deferred"); "rejected" is the service
# refusing to send (e.g. a known-bad address).
SUPPRESSING = {"bounced": "bounced", "complained": "complained", "rejected": "rejected"}


@receiver(tracking, dispatch_uid="dateline.newsletters.tracking")
def on_tracking_event(sender, event, esp_name, **kwargs):
    webhook_outcome("email_tracking", "accepted")  # anymail verified it before this
    reason = SUPPRESSING.get(event.event_type)
    if reason is None or not event.recipient:
        return
    issue = (event.metadata or {}).get("issue", "")
    subscriber_suppress(
        email=event.recipient,
        reason=reason,
        issue_id=int(issue) if str(issue).isdigit() else None,
        when=event.timestamp,
    )
