"""State changes of reader support. Views and the admin parse input and call these.

Provider events are applied idempotently: each event id is stored once (a second delivery
changes nothing), each payment once (by the provider's payment id), and a subscription's
status follows the time its events happened, not the order they arrived in; a
cancellation is final."""

import logging
import secrets
import uuid
from datetime import datetime
from decimal import Decimal

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from dateline.bake.pages import site_targets
from dateline.bake.services import pages_changed
from dateline.network.models import Site

from .models import (
    AppealConfig,
    Checkout,
    Contribution,
    Frequency,
    ProviderEvent,
    Subscription,
    SubscriptionEvent,
    Supporter,
    minor_units,
)
from .providers import Notice, get_provider
from .selectors import appeal_cache_key

logger = logging.getLogger("dateline.support")

CANCEL_SALT = "dateline.support.cancel"


class NoticeDeferred(Exception):
    """The event cannot be applied yet (it needs one that has not arrived); the provider
    will deliver it again."""


# -- the appeal ---------------------------------------------------------------------------


def appeal_save(*, appeal: AppealConfig) -> AppealConfig:
    with transaction.atomic():
        appeal.full_clean()
        appeal.save()
    site_ids = (
        [appeal.site_id]
        if appeal.site_id
        else list(Site.objects.filter(network_id=appeal.network_id).values_list("id", flat=True))
    )
    transaction.on_commit(lambda: cache.delete_many([appeal_cache_key(i) for i in site_ids]))
    # Every stored article page shows the appeal (dateline/bake/).
    pages_changed(
        site_targets(*Site.objects.filter(id__in=site_ids).values_list("host", flat=True))
    )
    return appeal


# -- checkouts ----------------------------------------------------------------------------


def checkout_start(
    *,
    site: Site,
    provider_name: str,
    frequency: str,
    amount: Decimal,
    currency: str,
    return_url_for,
    cancel_url_for,
) -> tuple[Checkout, str]:
    """Record a checkout and create it at the provider; returns the checkout and the
    provider's page to send the reader to. ``return_url_for(checkout)`` and
    ``cancel_url_for(checkout)`` build our absolute URLs for it."""
    provider = get_provider(provider_name)
    checkout = Checkout.objects.create(
        site=site,
        provider=provider_name,
        frequency=frequency,
        amount_minor=minor_units(amount, currency),
        currency=currency,
        created_at=timezone.now(),
    )
    started = provider.start_checkout(
        checkout, return_url=return_url_for(checkout), cancel_url=cancel_url_for(checkout)
    )
    checkout.provider_ref = started.provider_ref
    checkout.save(update_fields=["provider_ref"])
    logger.info("support checkout %s started at %s (%s)", checkout.token, provider_name, frequency)
    return checkout, started.redirect_url


def checkout_cancel(*, checkout: Checkout) -> None:
    Checkout.objects.filter(id=checkout.id, status=Checkout.Status.OPEN).update(
        status=Checkout.Status.CANCELLED
    )


def checkout_return(*, checkout: Checkout, query) -> None:
    """The reader is back from the provider: let it finish the payment (PayPal's capture)
    and apply what it reports."""
    if checkout.status == Checkout.Status.COMPLETED:
        return  # a reload of the return page: the payment is recorded already
    provider = get_provider(checkout.provider)
    for notice in provider.complete_return(checkout, query):
        notice_apply(provider_name=checkout.provider, notice=notice, record_event=False)


# -- provider events ----------------------------------------------------------------------


def notice_apply(*, provider_name: str, notice: Notice, record_event: bool = True) -> str:
    """Apply one verified provider event. Returns ``"applied"``, ``"duplicate"`` (this
    event id was applied before) or ``"ignored"`` (a type we do not act on)."""
    try:
        with transaction.atomic():
            if record_event:
                ProviderEvent.objects.create(
                    provider=provider_name,
                    event_id=notice.event_id,
                    event_type=notice.event_type,
                    occurred_at=notice.occurred_at,
                    received_at=timezone.now(),
                )
            handler = _HANDLERS.get(notice.kind)
            if handler is None:
                return "ignored"
            handler(provider_name, notice)
    except IntegrityError:
        if (
            record_event
            and ProviderEvent.objects.filter(
                provider=provider_name, event_id=notice.event_id
            ).exists()
        ):
            return "duplicate"
        raise
    return "applied"


def _checkout(notice: Notice) -> Checkout | None:
    try:
        token = uuid.UUID(notice.checkout_token)
    except ValueError:
        return None
    return Checkout.objects.select_related("site").filter(token=token).first()


def _site(notice: Notice, checkout: Checkout | None) -> Site | None:
    if checkout is not None:
        return checkout.site
    if notice.site_slug:
        return Site.objects.filter(slug=notice.site_slug).first()
    return None


def _supporter(*, email: str, name: str, when: datetime) -> Supporter | None:
    email = (email or "").strip()
    if not email:
        return None
    supporter = Supporter.objects.filter(email__iexact=email).first()
    if supporter is None:
        supporter = Supporter.objects.create(email=email, name=name or "", created_at=when)
    elif name and not supporter.name:
        supporter.name = name
        supporter.save(update_fields=["name"])
    return supporter


def _subscription(provider_name: str, ref: str, when: datetime) -> Subscription:
    subscription, _ = Subscription.objects.get_or_create(
        provider=provider_name, provider_ref=ref, defaults={"status_at": when}
    )
    return Subscription.objects.select_for_update().get(id=subscription.id)


def _set_status(subscription: Subscription, status: str, when: datetime) -> None:
    """Apply a status the provider reported at ``when``: only if it is newer than the one
    we hold, and never after a cancellation."""
    if subscription.status == Subscription.Status.CANCELLED:
        return
    if status == Subscription.Status.CANCELLED or when >= subscription.status_at:
        subscription.status, subscription.status_at = status, when


def _event(subscription, kind, notice):
    SubscriptionEvent.objects.create(
        subscription=subscription,
        kind=kind,
        occurred_at=notice.occurred_at,
        event_id=notice.event_id,
    )


def _checkout_complete(checkout: Checkout | None) -> None:
    if checkout is not None and checkout.status != Checkout.Status.COMPLETED:
        checkout.status = Checkout.Status.COMPLETED
        checkout.save(update_fields=["status"])


def _on_subscription_started(provider_name: str, notice: Notice) -> None:
    checkout = _checkout(notice)
    subscription = _subscription(provider_name, notice.subscription_ref, notice.occurred_at)
    supporter = _supporter(email=notice.email, name=notice.name, when=notice.occurred_at)
    subscription.supporter = subscription.supporter or supporter
    subscription.site = subscription.site or _site(notice, checkout)
    if checkout is not None and not subscription.amount_minor:
        subscription.amount_minor, subscription.currency = (
            checkout.amount_minor,
            checkout.currency,
        )
    if notice.amount_minor and not subscription.amount_minor:
        subscription.amount_minor, subscription.currency = notice.amount_minor, notice.currency
    if subscription.started_at is None or notice.occurred_at < subscription.started_at:
        subscription.started_at = notice.occurred_at
    _set_status(subscription, Subscription.Status.ACTIVE, notice.occurred_at)
    subscription.save()
    _event(subscription, SubscriptionEvent.Kind.STARTED, notice)
    _checkout_complete(checkout)


def _on_payment(provider_name: str, notice: Notice) -> None:
    if Contribution.objects.filter(
        provider=provider_name, provider_ref=notice.payment_ref
    ).exists():
        return  # the same payment reported twice (checkout return and webhook, say)
    checkout = _checkout(notice)
    subscription = None
    if notice.subscription_ref:
        subscription = _subscription(provider_name, notice.subscription_ref, notice.occurred_at)
    supporter = _supporter(email=notice.email, name=notice.name, when=notice.occurred_at)
    if supporter is None and subscription is not None:
        supporter = subscription.supporter
    if supporter is None:
        raise NoticeDeferred("payment before its subscription started: no supporter yet")
    site = _site(notice, checkout) or (subscription.site if subscription else None)
    if subscription is not None:
        renewal = subscription.payments.filter(received_at__lt=notice.occurred_at).exists()
        subscription.supporter = subscription.supporter or supporter
        subscription.site = subscription.site or site
        if not subscription.amount_minor:
            subscription.amount_minor, subscription.currency = notice.amount_minor, notice.currency
        _set_status(subscription, Subscription.Status.ACTIVE, notice.occurred_at)
        subscription.save()
        if renewal:
            _event(subscription, SubscriptionEvent.Kind.RENEWED, notice)
    contribution = Contribution.objects.create(
        supporter=supporter,
        site=site,
        subscription=subscription,
        provider=provider_name,
        provider_ref=notice.payment_ref,
        frequency=Frequency.MONTHLY if subscription else Frequency.ONCE,
        amount_minor=notice.amount_minor,
        currency=notice.currency,
        received_at=notice.occurred_at,
        receipt_number=f"R-{notice.occurred_at:%Y%m%d}-{secrets.token_hex(4).upper()}",
    )
    _checkout_complete(checkout)
    logger.info("support contribution %s recorded (%s)", contribution.receipt_number, provider_name)
    contribution_id = contribution.id
    transaction.on_commit(lambda: _send_receipt(contribution_id))


def _on_payment_failed(provider_name: str, notice: Notice) -> None:
    subscription = _subscription(provider_name, notice.subscription_ref, notice.occurred_at)
    _set_status(subscription, Subscription.Status.PAST_DUE, notice.occurred_at)
    subscription.save()
    _event(subscription, SubscriptionEvent.Kind.PAYMENT_FAILED, notice)


def _on_cancelled(provider_name: str, notice: Notice) -> None:
    subscription = _subscription(provider_name, notice.subscription_ref, notice.occurred_at)
    _mark_cancelled(subscription, notice.occurred_at)
    if not subscription.events.filter(kind=SubscriptionEvent.Kind.CANCELLED).exists():
        _event(subscription, SubscriptionEvent.Kind.CANCELLED, notice)


def _mark_cancelled(subscription: Subscription, when: datetime) -> None:
    if subscription.status != Subscription.Status.CANCELLED:
        subscription.status, subscription.status_at = Subscription.Status.CANCELLED, when
        subscription.cancelled_at = when
        subscription.save()


_HANDLERS = {
    "payment": _on_payment,
    "subscription_started": _on_subscription_started,
    "payment_failed": _on_payment_failed,
    "subscription_cancelled": _on_cancelled,
}


# -- receipts and cancellation ------------------------------------------------------------


def cancel_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.id}, salt=CANCEL_SALT, compress=True)


def subscription_from_cancel_token(token: str, *, max_age_days: int = 400) -> Subscription | None:
    try:
        data = signing.loads(token, salt=CANCEL_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    return Subscription.objects.select_related("site", "supporter").filter(id=data.get("s")).first()


def subscription_cancel(*, subscription: Subscription) -> None:
    """Stop a monthly gift at the supporter's request: at the provider first, then here
    (the provider's own cancellation event, when it comes, changes nothing more)."""
    if subscription.status == Subscription.Status.CANCELLED:
        return
    get_provider(subscription.provider).cancel_subscription(subscription.provider_ref)
    now = timezone.now()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(id=subscription.id)
        _mark_cancelled(locked, now)
        if not locked.events.filter(kind=SubscriptionEvent.Kind.CANCELLED).exists():
            SubscriptionEvent.objects.create(
                subscription=locked,
                kind=SubscriptionEvent.Kind.CANCELLED,
                occurred_at=now,
                event_id="supporter-request",
            )
    logger.info("support subscription %s cancelled by the supporter", subscription.id)


def _send_receipt(contribution_id: int) -> None:
    from .tasks import receipt_send_task

    receipt_send_task.enqueue(contribution_id)
