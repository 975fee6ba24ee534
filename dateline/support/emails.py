"""The thank-you e-mail with its receipt, sent through Django's e-mail API."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Contribution, Frequency
from .providers import get_provider


def receipt_message(contribution: Contribution) -> EmailMessage:
    from .selectors import appeal_for_site
    from .services import cancel_token

    site = contribution.site
    network_name = site.network.name if site else ""
    cancel_url = ""
    subscription = contribution.subscription
    if contribution.frequency == Frequency.MONTHLY and subscription and site:
        path = reverse("support:cancel", kwargs={"token": cancel_token(subscription)})
        cancel_url = f"{site.base_url}{path}"
    thank_you = appeal_for_site(site).thank_you_text if site else ""
    body = render_to_string(
        "support/email/receipt.txt",
        {
            "supporter": contribution.supporter,
            "contribution": contribution,
            "amount": contribution.amount,
            "provider_label": get_provider(contribution.provider).label,
            "site_name": site.name if site else network_name,
            "network_name": network_name,
            "thank_you_text": thank_you,
            "cancel_url": cancel_url,
        },
        using="django",
    )
    subject = f"Thank you for supporting {site.name if site else network_name} - receipt {contribution.receipt_number}"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=getattr(settings, "DATELINE_SUPPORT_FROM_EMAIL", None)
        or settings.DEFAULT_FROM_EMAIL,
        to=[contribution.supporter.email],
    )


def receipt_send(*, contribution_id: int, once: bool = False) -> bool:
    """Send a contribution's receipt; with ``once``, not if it was sent before.
    Returns whether a message went out."""
    contribution = Contribution.objects.select_related(
        "supporter", "site__network", "subscription"
    ).get(id=contribution_id)
    if once and contribution.receipt_sent_at is not None:
        return False
    receipt_message(contribution).send(fail_silently=False)
    Contribution.objects.filter(id=contribution_id).update(receipt_sent_at=timezone.now())
    return True
