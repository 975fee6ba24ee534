"""Stripe Checkout through the official ``stripe`` library: payment mode for one-off gifts,
subscription mode for monthly ones; webhooks verified with the library's Stripe-Signature
check (HMAC-SHA256 over ``timestamp.payload``, with a timestamp tolerance)."""

import json
from datetime import UTC, datetime

import stripe

from ..models import Frequency
from .base import CheckoutStart, Notice, PaymentProvider, ProviderError, WebhookRefused, register

# Stripe's default (stripe.Webhook.DEFAULT_TOLERANCE); a delivery older than this is refused.
TOLERANCE_SECONDS = 300


def _when(unix_time) -> datetime:
    return datetime.fromtimestamp(int(unix_time), tz=UTC)


def _subscription_of_invoice(invoice: dict) -> tuple[str, dict]:
    """The subscription id and metadata of an invoice: under ``parent`` since API
    version 2025-03-31.basil, at the top level before it."""
    details = (invoice.get("parent") or {}).get("subscription_details") or (
        invoice.get("subscription_details") or {}
    )
    ref = details.get("subscription") or invoice.get("subscription") or ""
    if isinstance(ref, dict):
        ref = ref.get("id", "")
    metadata = details.get("metadata") or {}
    return ref, metadata


@register("stripe")
class StripeProvider(PaymentProvider):
    label = "Card (Stripe)"
    frequencies = (Frequency.ONCE, Frequency.MONTHLY)
    required_settings = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
    switch_setting = "DATELINE_SUPPORT_STRIPE"
    checkout_origins = ("https://checkout.stripe.com",)
    product_name = "Contribution"

    def client(self) -> stripe.StripeClient:
        base = self.setting("STRIPE_API_BASE")
        return stripe.StripeClient(
            self.setting("STRIPE_SECRET_KEY"),
            base_addresses={"api": base} if base else None,
            max_network_retries=2,
        )

    def start_checkout(self, checkout, *, return_url, cancel_url):
        price_data = {
            "currency": checkout.currency.lower(),
            "unit_amount": checkout.amount_minor,
            "product_data": {"name": f"{self.product_name} to {checkout.site.name}"},
        }
        params = {
            "success_url": f"{return_url}?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": cancel_url,
            "client_reference_id": str(checkout.token),
            "metadata": {"checkout": str(checkout.token), "site": checkout.site.slug},
            "submit_type": "donate",
        }
        if checkout.frequency == Frequency.MONTHLY:
            price_data["recurring"] = {"interval": "month"}
            params["mode"] = "subscription"
            params["subscription_data"] = {"metadata": params["metadata"]}
            del params["submit_type"]  # only payment mode takes it
        else:
            params["mode"] = "payment"
        params["line_items"] = [{"price_data": price_data, "quantity": 1}]
        try:
            session = self.client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused the checkout: {type(error).__name__}") from None
        if not session.url:
            raise ProviderError("Stripe created a checkout session without a URL.")
        return CheckoutStart(provider_ref=session.id, redirect_url=session.url)

    def cancel_subscription(self, subscription_ref):
        try:
            self.client().v1.subscriptions.cancel(subscription_ref)
        except stripe.StripeError as error:
            raise ProviderError(
                f"Stripe refused the cancellation: {type(error).__name__}"
            ) from None

    def parse_webhook(self, *, body, headers):
        signature = headers.get("Stripe-Signature", "")
        if not signature:
            raise WebhookRefused("no Stripe-Signature header")
        try:
            payload = body.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRefused("body is not UTF-8") from None
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self.setting("STRIPE_WEBHOOK_SECRET"), TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            reason = "stale timestamp" if "tolerance" in str(error) else "bad signature"
            raise WebhookRefused(f"Stripe-Signature refused: {reason}") from None
        try:
            event = json.loads(payload)
            return self._notice(event)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise WebhookRefused(f"malformed Stripe event ({type(error).__name__})") from None

    def _notice(self, event: dict) -> Notice:
        if event.get("object") != "event" or not str(event["id"]).startswith("evt_"):
            raise ValueError("not an event")
        obj = event["data"]["object"]
        base = {
            "event_id": event["id"],
            "event_type": event["type"],
            "occurred_at": _when(event["created"]),
        }
        kind = event["type"]
        # A session paid by a delayed method completes unpaid and succeeds later.
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            details = obj.get("customer_details") or {}
            common = {
                **base,
                "checkout_token": obj.get("client_reference_id") or "",
                "site_slug": (obj.get("metadata") or {}).get("site", ""),
                "email": details.get("email") or obj.get("customer_email") or "",
                "name": details.get("name") or "",
                "amount_minor": int(obj["amount_total"]),
                "currency": obj["currency"].upper(),
            }
            if obj["mode"] == "subscription":
                return Notice(
                    **common, kind="subscription_started", subscription_ref=obj["subscription"]
                )
            if obj["mode"] == "payment" and obj["payment_status"] == "paid":
                payment_ref = obj.get("payment_intent") or obj["id"]
                return Notice(**common, kind="payment", payment_ref=payment_ref)
        elif kind == "invoice.paid":
            subscription_ref, metadata = _subscription_of_invoice(obj)
            if subscription_ref:
                return Notice(
                    **base,
                    kind="payment",
                    subscription_ref=subscription_ref,
                    checkout_token=metadata.get("checkout", ""),
                    site_slug=metadata.get("site", ""),
                    payment_ref=obj["id"],
                    amount_minor=int(obj["amount_paid"]),
                    currency=obj["currency"].upper(),
                    email=obj.get("customer_email") or "",
                    name=obj.get("customer_name") or "",
                )
        elif kind == "invoice.payment_failed":
            subscription_ref, _ = _subscription_of_invoice(obj)
            if subscription_ref:
                return Notice(**base, kind="payment_failed", subscription_ref=subscription_ref)
        elif kind == "customer.subscription.deleted":
            return Notice(**base, kind="subscription_cancelled", subscription_ref=obj["id"])
        return Notice(**base, kind="ignored")
