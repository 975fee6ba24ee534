"""Stripe: Checkout sessions through the real ``stripe`` library against the stand-in, and
Stripe's documented webhook payloads replayed, signed as Stripe signs them."""

import copy
import json
import logging
import time

import pytest
import stripe

from dateline.support.models import (
    Checkout,
    Contribution,
    ProviderEvent,
    Subscription,
    SubscriptionEvent,
    Supporter,
)

from .conftest import STRIPE_KEY, fixture_json, nothing_recorded

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "http://spacewar.localhost"}


def send(client, stand_in, event, *, timestamp=None, secret=None, body=None, headers=None):
    payload = body if body is not None else json.dumps(event).encode()
    signature = stand_in.sign(payload, timestamp=timestamp, secret=secret)
    return client.post(
        "/support/webhooks/stripe/",
        payload,
        content_type="application/json",
        headers={"host": "spacewar.localhost", "Stripe-Signature": signature, **(headers or {})},
    )


def event(name, **changes):
    data = copy.deepcopy(fixture_json(f"webhooks/stripe/{name}.json"))
    for key, value in changes.items():
        if key in ("id", "created"):
            data[key] = value
        else:
            data["data"]["object"][key] = value
    return data


class StripeCheckoutTests:
    def test_one_off_gift_redirects_to_hosted_checkout(
        self, client, war_site, appeal, stripe_standin
    ):
        """A one-off gift creates a payment-mode Checkout Session (checked against Stripe's
        document) and answers 303 to its hosted page."""
        response = client.post(
            "/support/checkout/",
            {"frequency": "once", "amount": "10", "provider": "stripe"},
            headers={"host": "spacewar.localhost", **ORIGIN},
        )
        assert response.status_code == 303
        session = next(iter(stripe_standin.sessions.values()))
        assert response["Location"] == session["url"]
        assert session["mode"] == "payment" and session["amount_total"] == 1000
        checkout = Checkout.objects.get()
        assert checkout.provider_ref == session["id"]
        assert session["client_reference_id"] == str(checkout.token)
        assert session["success_url"].startswith(
            f"http://spacewar.localhost/support/return/{checkout.token}/"
        )
        assert stripe_standin.calls == [("POST", "/v1/checkout/sessions")]

    def test_monthly_gift_uses_subscription_mode(self, client, war_site, appeal, stripe_standin):
        """A monthly gift creates a subscription-mode session with a monthly price."""
        response = client.post(
            "/support/checkout/",
            {"frequency": "monthly", "custom_amount": "7.50", "provider": "stripe"},
            headers={"host": "spacewar.localhost", **ORIGIN},
        )
        assert response.status_code == 303
        session = next(iter(stripe_standin.sessions.values()))
        assert session["mode"] == "subscription" and session["amount_total"] == 750

    def test_stand_in_refuses_what_the_document_does_not_allow(self, stripe_standin):
        """The stand-in checks requests against Stripe's document: an unknown parameter
        is answered 400 (so it cannot simply agree with our client)."""
        client = stripe.StripeClient(STRIPE_KEY, base_addresses={"api": stripe_standin.base})
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.checkout.sessions.create(
                params={"mode": "payment", "success_url": "https://x.example/", "bogus": "1"}
            )
        assert "bogus" in stripe_standin.violations[0]
        stripe_standin.violations.clear()

    def test_provider_failure_is_a_clear_page(
        self, client, war_site, appeal, stripe_standin, settings
    ):
        """When Stripe does not answer, the reader gets a 502 page saying so."""
        settings.STRIPE_API_BASE = "http://127.0.0.1:9"
        response = client.post(
            "/support/checkout/",
            {"frequency": "once", "amount": "10", "provider": "stripe"},
            headers={"host": "spacewar.localhost", **ORIGIN},
        )
        assert response.status_code == 502
        assert b"not answering" in response.content


class StripeWebhookTests:
    def test_payment_completed_records_gift_and_supporter(
        self, client, war_site, stripe_standin, django_capture_on_commit_callbacks
    ):
        """checkout.session.completed (payment mode) records one contribution and its
        supporter, and marks our checkout completed."""
        checkout = Checkout.objects.create(
            site=war_site, provider="stripe", frequency="once", amount_minor=1000,
            currency="USD", created_at="2026-11-25T12:00Z",
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=False):
            response = send(
                client,
                stripe_standin,
                event(
                    "checkout_session_completed_payment", client_reference_id=str(checkout.token)
                ),
            )
        assert response.status_code == 200, response.content
        gift = Contribution.objects.get()
        assert (gift.amount_minor, gift.currency, gift.frequency) == (1000, "USD", "once")
        assert gift.provider_ref == "pi_3QaStandIn0000001" and gift.site == war_site
        assert gift.supporter.email == "first.reader@example.org"
        checkout.refresh_from_db()
        assert checkout.status == Checkout.Status.COMPLETED

    def test_delayed_payment_counts_when_it_succeeds(self, client, war_site, stripe_standin):
        """A session completed unpaid records nothing; its async_payment_succeeded does."""
        unpaid = event("checkout_session_completed_payment", payment_status="unpaid")
        assert send(client, stripe_standin, unpaid).content == b"ignored"
        assert not Contribution.objects.exists()
        paid = event("checkout_session_completed_payment", id="evt_async_ok")
        paid["type"] = "checkout.session.async_payment_succeeded"
        assert send(client, stripe_standin, paid).content == b"applied"
        assert Contribution.objects.count() == 1

    def test_duplicate_delivery_changes_nothing(self, client, war_site, stripe_standin):
        """The same event delivered twice is answered 200 both times and recorded once."""
        payload = event("checkout_session_completed_payment")
        assert send(client, stripe_standin, payload).content == b"applied"
        second = send(client, stripe_standin, payload)
        assert second.status_code == 200 and second.content == b"duplicate"
        assert Contribution.objects.count() == 1 and ProviderEvent.objects.count() == 1

    def test_same_payment_in_two_events_counts_once(self, client, war_site, stripe_standin):
        """Two different events naming one payment make one contribution."""
        send(client, stripe_standin, event("checkout_session_completed_payment"))
        send(client, stripe_standin, event("checkout_session_completed_payment", id="evt_other"))
        assert Contribution.objects.count() == 1 and ProviderEvent.objects.count() == 2

    def test_forged_signature_is_refused(self, client, war_site, stripe_standin, caplog):
        """A payload signed with another secret is refused (400), logged without personal
        data, and records nothing."""
        with caplog.at_level(logging.WARNING, logger="dateline.support"):
            response = send(
                client,
                stripe_standin,
                event("checkout_session_completed_payment"),
                secret="whsec_forged",
            )
        assert response.status_code == 400
        assert nothing_recorded()
        assert "bad signature" in caplog.text and "example.org" not in caplog.text

    def test_tampered_body_is_refused(self, client, war_site, stripe_standin):
        """A body changed after signing is refused."""
        payload = json.dumps(event("checkout_session_completed_payment")).encode()
        signature = stripe_standin.sign(payload)
        response = client.post(
            "/support/webhooks/stripe/",
            payload.replace(b"1000", b"9000"),
            content_type="application/json",
            headers={"host": "spacewar.localhost", "Stripe-Signature": signature},
        )
        assert response.status_code == 400 and nothing_recorded()

    def test_replayed_stale_delivery_is_refused(self, client, war_site, stripe_standin):
        """A correctly signed delivery older than the tolerance (a replay) is refused."""
        response = send(
            client,
            stripe_standin,
            event("checkout_session_completed_payment"),
            timestamp=int(time.time()) - 3600,
        )
        assert response.status_code == 400 and b"stale" in response.content
        assert nothing_recorded()

    def test_unsigned_and_malformed_are_refused(self, client, war_site, stripe_standin):
        """No signature header, or a signed body that is not a Stripe event: 400."""
        unsigned = client.post(
            "/support/webhooks/stripe/", b"{}", content_type="application/json",
            headers={"host": "spacewar.localhost"},
        )  # fmt: skip
        assert unsigned.status_code == 400
        for body in (b"not json", b"[]", b'{"object": "event", "id": "evt_1"}', b"\xff\xfe"):
            response = send(client, stripe_standin, None, body=body)
            assert response.status_code == 400, body
        assert nothing_recorded()

    def test_switched_off_provider_refuses(self, client, war_site, stripe_standin, settings):
        """With its switch off, Stripe's webhook answers 404 and records nothing."""
        settings.DATELINE_SUPPORT_STRIPE = "off"
        response = send(client, stripe_standin, event("checkout_session_completed_payment"))
        assert response.status_code == 404 and nothing_recorded()


class StripeSubscriptionLifecycleTests:
    def test_started_renewed_failed_cancelled(self, client, war_site, stripe_standin):
        """Stripe's events take a monthly gift through started, renewed, payment failed and
        cancelled, kept per supporter."""
        send(client, stripe_standin, event("checkout_session_completed_subscription"))
        send(client, stripe_standin, event("invoice_paid"))
        renewal = event("invoice_paid", id="evt_renewal", created=1766592000)
        renewal["data"]["object"].update(id="in_renewal", billing_reason="subscription_cycle")
        send(client, stripe_standin, renewal)
        subscription = Subscription.objects.get()
        assert subscription.status == Subscription.Status.ACTIVE
        send(client, stripe_standin, event("invoice_payment_failed"))
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.PAST_DUE
        send(client, stripe_standin, event("customer_subscription_deleted"))
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.CANCELLED
        kinds = list(subscription.events.values_list("kind", flat=True))
        assert kinds == ["started", "renewed", "payment_failed", "cancelled"]
        supporter = Supporter.objects.get()
        assert supporter.email == "monthly.reader@example.org"
        assert list(supporter.subscriptions.all()) == [subscription]
        assert supporter.contributions.count() == 2
        assert set(supporter.contributions.values_list("frequency", flat=True)) == {"monthly"}

    def test_out_of_order_delivery_keeps_the_later_state(self, client, war_site, stripe_standin):
        """A cancellation that arrives before an older failure stays cancelled; an
        invoice paid before the session completed still makes one supporter."""
        send(client, stripe_standin, event("invoice_paid"))
        send(client, stripe_standin, event("customer_subscription_deleted"))
        send(client, stripe_standin, event("invoice_payment_failed"))
        send(client, stripe_standin, event("checkout_session_completed_subscription"))
        subscription = Subscription.objects.get()
        assert subscription.status == Subscription.Status.CANCELLED
        assert subscription.started_at is not None
        assert Supporter.objects.count() == 1 and Contribution.objects.count() == 1
        assert SubscriptionEvent.objects.filter(kind="cancelled").count() == 1
