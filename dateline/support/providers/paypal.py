"""PayPal: Orders v2 for one-off gifts (approved on PayPal's page, captured when the reader
comes back), Subscriptions v1 for monthly ones; webhooks verified by PayPal's
verify-webhook-signature call, after our own checks of the headers."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.utils.dateparse import parse_datetime

from ..models import CURRENCIES, Frequency, minor_units
from .base import CheckoutStart, Notice, PaymentProvider, ProviderError, WebhookRefused, register
from .paypal_client import PayPalClient

# A delivery whose transmission time is further than this from ours is refused (replays).
TOLERANCE = timedelta(minutes=5)
# PayPal signs webhooks with certificates served from its own domains only.
CERT_DOMAINS = ("paypal.com", "paypalobjects.com")


def cert_url_allowed(url: str) -> bool:
    """True for an https URL on paypal.com or paypalobjects.com (or a subdomain),
    without credentials or an unusual port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
        return False
    return any(host == domain or host.endswith("." + domain) for domain in CERT_DOMAINS)


def _value(amount_minor: int, currency: str) -> str:
    digits = CURRENCIES[currency]
    return f"{Decimal(amount_minor) / 10**digits:.{digits}f}"


def _link(resource: dict, *rels: str) -> str:
    for link in resource.get("links", []):
        if link.get("rel") in rels:
            return link["href"]
    raise ProviderError(f"PayPal's answer has no {' or '.join(rels)} link.")


def _name(name: dict | None) -> str:
    name = name or {}
    return (
        name.get("full_name")
        or " ".join(p for p in (name.get("given_name"), name.get("surname")) if p)
        or ""
    )


@register("paypal")
class PayPalProvider(PaymentProvider):
    label = "PayPal"
    frequencies = (Frequency.ONCE, Frequency.MONTHLY)
    required_settings = ("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID")
    switch_setting = "DATELINE_SUPPORT_PAYPAL"
    checkout_origins = ("https://www.paypal.com", "https://www.sandbox.paypal.com")
    default_api_base = "https://api-m.paypal.com"

    def client(self) -> PayPalClient:
        return PayPalClient(
            api_base=self.setting("PAYPAL_API_BASE") or self.default_api_base,
            client_id=self.setting("PAYPAL_CLIENT_ID"),
            client_secret=self.setting("PAYPAL_CLIENT_SECRET"),
        )

    def offers(self, frequency):
        # Monthly gifts need a billing plan made once in PayPal's dashboard.
        if frequency == Frequency.MONTHLY:
            return bool(self.setting("PAYPAL_MONTHLY_PLAN_ID"))
        return frequency in self.frequencies

    def start_checkout(self, checkout, *, return_url, cancel_url):
        token = str(checkout.token)
        # What the reader sees on PayPal's page and where PayPal sends them back.
        experience = {
            "brand_name": checkout.site.name[:127],
            "shipping_preference": "NO_SHIPPING",
            "return_url": return_url,
            "cancel_url": cancel_url,
        }
        money = {
            "currency_code": checkout.currency,
            "value": _value(checkout.amount_minor, checkout.currency),
        }
        if checkout.frequency == Frequency.MONTHLY:
            body = {
                "plan_id": self.setting("PAYPAL_MONTHLY_PLAN_ID"),
                "custom_id": token,
                # The plan's one regular cycle, at the amount the reader chose.
                "plan": {
                    "billing_cycles": [{"sequence": 1, "pricing_scheme": {"fixed_price": money}}]
                },
                "application_context": {**experience, "user_action": "SUBSCRIBE_NOW"},
            }
            subscription = self.client().subscription_create(body, request_id=f"sub-{token}")
            return CheckoutStart(
                provider_ref=subscription["id"], redirect_url=_link(subscription, "approve")
            )
        body = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": token,
                    "custom_id": token,
                    "description": f"Contribution to {checkout.site.name}"[:127],
                    "amount": money,
                }
            ],
            "payment_source": {
                "paypal": {"experience_context": {**experience, "user_action": "PAY_NOW"}}
            },
        }
        order = self.client().order_create(body, request_id=f"order-{token}")
        return CheckoutStart(
            provider_ref=order["id"], redirect_url=_link(order, "payer-action", "approve")
        )

    def complete_return(self, checkout, query):
        """Capture an approved one-off order (PayPal sends the reader back with
        ``?token=<order id>``). Monthly gifts start with PayPal's webhook."""
        if checkout.frequency != Frequency.ONCE:
            return []
        if query.get("token") != checkout.provider_ref:
            raise ProviderError("The PayPal return does not name this checkout's order.")
        order = self.client().order_capture(
            checkout.provider_ref, request_id=f"capture-{checkout.token}"
        )
        if order.get("status") != "COMPLETED":
            raise ProviderError(f"PayPal did not complete the payment ({order.get('status')}).")
        return [self._notice_from_order(order, event_id=f"capture-return:{order['id']}")]

    def _notice_from_order(self, order: dict, *, event_id: str) -> Notice:
        unit = order["purchase_units"][0]
        capture = unit["payments"]["captures"][0]
        payer = order.get("payer") or (order.get("payment_source") or {}).get("paypal") or {}
        return Notice(
            event_id=event_id,
            event_type="order.captured",
            occurred_at=parse_datetime(capture.get("create_time") or "") or datetime.now(UTC),
            kind="payment",
            checkout_token=capture.get("custom_id") or unit.get("custom_id") or "",
            payment_ref=capture["id"],
            amount_minor=minor_units(
                Decimal(capture["amount"]["value"]), capture["amount"]["currency_code"]
            ),
            currency=capture["amount"]["currency_code"],
            email=payer.get("email_address", ""),
            name=_name(payer.get("name")),
        )

    def cancel_subscription(self, subscription_ref):
        self.client().subscription_cancel(subscription_ref, reason="Cancelled by the supporter")

    def parse_webhook(self, *, body, headers):
        transmission = {
            "auth_algo": headers.get("PAYPAL-AUTH-ALGO", ""),
            "cert_url": headers.get("PAYPAL-CERT-URL", ""),
            "transmission_id": headers.get("PAYPAL-TRANSMISSION-ID", ""),
            "transmission_sig": headers.get("PAYPAL-TRANSMISSION-SIG", ""),
            "transmission_time": headers.get("PAYPAL-TRANSMISSION-TIME", ""),
        }
        missing = [name for name, value in transmission.items() if not value]
        if missing:
            raise WebhookRefused(f"PayPal headers missing: {', '.join(missing)}")
        if not cert_url_allowed(transmission["cert_url"]):
            raise WebhookRefused("PayPal certificate URL outside paypal.com/paypalobjects.com")
        if transmission["auth_algo"] != "SHA256withRSA":
            raise WebhookRefused("unexpected PayPal signature algorithm")
        sent_at = parse_datetime(transmission["transmission_time"])
        if sent_at is None or sent_at.tzinfo is None:
            raise WebhookRefused("unreadable PayPal transmission time")
        if abs(datetime.now(UTC) - sent_at) > TOLERANCE:
            raise WebhookRefused("stale PayPal transmission time")
        try:
            event = json.loads(body)
            if not isinstance(event, dict) or not isinstance(event.get("resource"), dict):
                raise ValueError("not an event")
        except ValueError:
            raise WebhookRefused("malformed PayPal event") from None
        verified = self.client().verify_webhook_signature(
            {
                **transmission,
                "webhook_id": self.setting("PAYPAL_WEBHOOK_ID"),
                "webhook_event": event,
            }
        )
        if not verified:
            raise WebhookRefused("PayPal signature refused")
        try:
            return self._notice(event)
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
            raise WebhookRefused(f"malformed PayPal event ({type(error).__name__})") from None

    def _notice(self, event: dict) -> Notice:
        resource = event["resource"]
        occurred_at = parse_datetime(event["create_time"])
        if occurred_at is None:
            raise ValueError("create_time")
        base = {
            "event_id": event["id"],
            "event_type": event["event_type"],
            "occurred_at": occurred_at,
        }
        kind = event["event_type"]
        if kind == "PAYMENT.CAPTURE.COMPLETED":
            # The capture names its order; the order names the payer.
            order_id = resource["supplementary_data"]["related_ids"]["order_id"]
            order = self.client().order_show(order_id)
            payer = order.get("payer") or (order.get("payment_source") or {}).get("paypal") or {}
            return Notice(
                **base,
                kind="payment",
                checkout_token=resource.get("custom_id", ""),
                payment_ref=resource["id"],
                amount_minor=minor_units(
                    Decimal(resource["amount"]["value"]), resource["amount"]["currency_code"]
                ),
                currency=resource["amount"]["currency_code"],
                email=payer.get("email_address", ""),
                name=_name(payer.get("name")),
            )
        if kind == "BILLING.SUBSCRIPTION.ACTIVATED":
            subscriber = resource.get("subscriber") or {}
            return Notice(
                **base,
                kind="subscription_started",
                subscription_ref=resource["id"],
                checkout_token=resource.get("custom_id", ""),
                email=subscriber.get("email_address", ""),
                name=_name(subscriber.get("name")),
            )
        if kind == "PAYMENT.SALE.COMPLETED" and resource.get("billing_agreement_id"):
            currency = resource["amount"]["currency"]
            return Notice(
                **base,
                kind="payment",
                subscription_ref=resource["billing_agreement_id"],
                checkout_token=resource.get("custom", ""),
                payment_ref=resource["id"],
                amount_minor=minor_units(Decimal(resource["amount"]["total"]), currency),
                currency=currency,
            )
        if kind == "BILLING.SUBSCRIPTION.PAYMENT.FAILED":
            return Notice(**base, kind="payment_failed", subscription_ref=resource["id"])
        if kind in ("BILLING.SUBSCRIPTION.CANCELLED", "BILLING.SUBSCRIPTION.EXPIRED"):
            return Notice(**base, kind="subscription_cancelled", subscription_ref=resource["id"])
        return Notice(**base, kind="ignored")
