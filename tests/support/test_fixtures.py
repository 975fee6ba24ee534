"""The webhook examples replayed by the tests have the shapes the providers' documents
give their objects: every field they carry is as the document describes it."""

import pytest

from .conftest import FIXTURES, fixture_json
from .openapi import SpecViolation
from .standins import document

STRIPE_OBJECTS = {
    "checkout.session": "checkout.session",
    "invoice": "invoice",
    "subscription": "subscription",
}
PAYPAL_RESOURCES = {
    "capture": ("paypal_checkout_orders_v2.json", "urn:paypal-checkout_orders_v2", "capture"),
    "subscription": (
        "paypal_billing_subscriptions_v1.json",
        "urn:paypal-billing_subscriptions_v1",
        "subscription",
    ),
}


def _names(provider):
    return sorted(p.name for p in (FIXTURES / "webhooks" / provider).glob("*.json"))


class WebhookExampleTests:
    @pytest.mark.parametrize("name", _names("stripe"))
    def test_stripe_examples_match_the_document(self, name):
        """Each Stripe example is an event, and its object matches its schema."""
        stripe = document("stripe.com.json", "urn:stripe-openapi")
        payload = fixture_json(f"webhooks/stripe/{name}")
        obj = payload["data"]["object"]
        stripe.check_partial("event", {**payload, "data": {"object": {}}})
        stripe.check_partial(STRIPE_OBJECTS[obj["object"]], obj)

    @pytest.mark.parametrize("name", _names("paypal"))
    def test_paypal_examples_match_the_documents(self, name):
        """Each PayPal example is an event, and its resource matches its schema where
        PayPal's documents describe it (sales belong to the v1 Payments API, not fetched)."""
        payload = fixture_json(f"webhooks/paypal/{name}")
        events = document(
            "paypal_notifications_webhooks_v1.json", "urn:paypal-notifications_webhooks_v1"
        )
        events.check_partial("event", payload)
        if payload["resource_type"] in PAYPAL_RESOURCES:
            file, uri, schema = PAYPAL_RESOURCES[payload["resource_type"]]
            document(file, uri).check_partial(schema, payload["resource"])

    def test_a_wrong_shape_is_caught(self):
        """The check fails for a field of the wrong type (it is not vacuous)."""
        stripe = document("stripe.com.json", "urn:stripe-openapi")
        obj = fixture_json("webhooks/stripe/checkout_session_completed_payment.json")["data"][
            "object"
        ]
        with pytest.raises(SpecViolation, match="amount_total"):
            stripe.check_partial("checkout.session", {**obj, "amount_total": "ten dollars"})
