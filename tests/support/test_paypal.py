"""PayPal: our REST client against the stand-in (Orders v2, Subscriptions v1, webhook
signature verification, all checked against PayPal's documents), and PayPal's documented
webhook payloads replayed, signed as PayPal signs them."""

import copy
import json
import logging
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from dateline.support.models import (
    Checkout,
    Contribution,
    ProviderEvent,
    Subscription,
)
from dateline.support.providers.paypal import cert_url_allowed

from .conftest import fixture_json, nothing_recorded

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "http://spacewar.localhost"}


def event(name, **resource_changes):
    data = copy.deepcopy(fixture_json(f"webhooks/paypal/{name}.json"))
    data["resource"].update(resource_changes)
    return data


def send(client, stand_in, payload, *, body=None, **sign_options):
    body = body if body is not None else json.dumps(payload).encode()
    headers = stand_in.signed_headers(body, **sign_options)
    return client.post(
        "/support/webhooks/paypal/",
        body,
        content_type="application/json",
        headers={"host": "spacewar.localhost", **headers},
    )


def approve(url: str) -> str:
    """The reader approves on PayPal's (stand-in) page; returns where PayPal sends them."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    parts = urlsplit(url)
    request = urllib.request.Request(url, data=b"", method="POST")  # noqa: S310 - loopback
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303, parts
        return redirect.headers["Location"]
    raise AssertionError("the approval page did not redirect")


def start(client, **form):
    return client.post(
        "/support/checkout/",
        {"provider": "paypal", **form},
        headers={"host": "spacewar.localhost", **ORIGIN},
    )


class PayPalOneOffTests:
    def test_order_approved_captured_and_receipted(
        self,
        client,
        war_site,
        appeal,
        paypal_standin,
        smtp_sink,
        django_capture_on_commit_callbacks,
    ):
        """A one-off gift creates an order (checked against Orders v2), the reader approves
        it on PayPal's page, and our return page captures it and records the gift."""
        response = start(client, frequency="once", amount="25")
        assert response.status_code == 303
        order_id = next(iter(paypal_standin.orders))
        assert response["Location"] == f"{paypal_standin.base}/checkoutnow?token={order_id}"
        back = urlsplit(approve(response["Location"]))
        checkout = Checkout.objects.get()
        assert back.path == f"/support/return/{checkout.token}/"
        with django_capture_on_commit_callbacks(execute=True):
            landed = client.get(f"{back.path}?{back.query}", headers={"host": "spacewar.localhost"})
        assert landed.status_code == 302
        assert landed["Location"] == f"/support/thanks/{checkout.token}/"
        gift = Contribution.objects.get()
        assert (gift.amount_minor, gift.currency, gift.provider) == (2500, "USD", "paypal")
        assert gift.supporter.email == "reader@example.org"
        assert ("POST", f"/v2/checkout/orders/{order_id}/capture") in paypal_standin.calls
        thanks = client.get(landed["Location"], headers={"host": "spacewar.localhost"})
        assert b"has been received" in thanks.content
        assert len(smtp_sink.messages) == 1
        # Reloading the return page captures nothing twice.
        again = client.get(f"{back.path}?{back.query}", headers={"host": "spacewar.localhost"})
        assert again.status_code == 302
        captures = [c for c in paypal_standin.calls if c[1].endswith("/capture")]
        assert len(captures) == 1 and Contribution.objects.count() == 1

    def test_capture_webhook_after_return_counts_once(
        self, client, war_site, appeal, paypal_standin
    ):
        """PAYMENT.CAPTURE.COMPLETED for a payment already captured on return adds nothing."""
        response = start(client, frequency="once", amount="10")
        back = urlsplit(approve(response["Location"]))
        client.get(f"{back.path}?{back.query}", headers={"host": "spacewar.localhost"})
        order_id = next(iter(paypal_standin.orders))
        capture = paypal_standin.orders[order_id]["order"]["purchase_units"][0]["payments"][
            "captures"
        ][0]
        payload = event(
            "payment_capture_completed",
            id=capture["id"],
            supplementary_data={"related_ids": {"order_id": order_id}},
        )
        answer = send(client, paypal_standin, payload)
        assert answer.status_code == 200, answer.content
        assert Contribution.objects.count() == 1 and ProviderEvent.objects.count() == 1

    def test_capture_webhook_alone_records_the_gift(self, client, war_site, appeal, paypal_standin):
        """A capture reported only by webhook is recorded, the payer read from its order."""
        response = start(client, frequency="once", amount="10")
        approve(response["Location"])
        order_id = next(iter(paypal_standin.orders))
        record = paypal_standin.orders[order_id]
        record["order"]["payer"] = {
            "email_address": "webhook.payer@example.org",
            "name": {"given_name": "Web", "surname": "Payer"},
        }
        payload = event(
            "payment_capture_completed", supplementary_data={"related_ids": {"order_id": order_id}}
        )
        assert send(client, paypal_standin, payload).status_code == 200
        gift = Contribution.objects.get()
        assert gift.provider_ref == "42311647XV020574X" and gift.amount_minor == 1000
        assert gift.supporter.email == "webhook.payer@example.org"


class PayPalMonthlyTests:
    def test_subscription_created_with_the_chosen_amount(
        self, client, war_site, appeal, paypal_standin
    ):
        """A monthly gift creates a subscription on the configured plan at the reader's amount."""
        response = start(client, frequency="monthly", amount="5")
        assert response.status_code == 303
        subscription_id, record = next(iter(paypal_standin.subscriptions.items()))
        assert response["Location"].startswith(
            f"{paypal_standin.base}/webapps/billing/subscriptions"
        )
        assert record["price"] == {"currency_code": "USD", "value": "5.00"}
        assert Checkout.objects.get().provider_ref == subscription_id

    def test_lifecycle_started_renewed_failed_cancelled(self, client, war_site, paypal_standin):
        """PayPal's events take a monthly gift through started, renewed, payment failed
        and cancelled."""
        assert (
            send(client, paypal_standin, event("billing_subscription_activated")).status_code == 200
        )
        assert send(client, paypal_standin, event("payment_sale_completed")).status_code == 200
        renewal = event("payment_sale_completed", id="7KW09271ST5551234")
        renewal.update(id="WH-RENEWAL", create_time="2026-12-25T10:00:00.000Z")
        assert send(client, paypal_standin, renewal).status_code == 200
        assert (
            send(client, paypal_standin, event("billing_subscription_payment_failed")).status_code
            == 200
        )
        subscription = Subscription.objects.get()
        assert subscription.status == Subscription.Status.PAST_DUE
        assert (
            send(client, paypal_standin, event("billing_subscription_cancelled")).status_code == 200
        )
        subscription.refresh_from_db()
        assert subscription.status == Subscription.Status.CANCELLED
        assert list(subscription.events.values_list("kind", flat=True)) == [
            "started", "renewed", "payment_failed", "cancelled",
        ]  # fmt: skip
        assert subscription.supporter.email == "monthly.giver@example.org"
        assert subscription.supporter.name == "Monthly Giver"
        assert subscription.payments.count() == 2

    def test_payment_before_activation_is_deferred(self, client, war_site, paypal_standin):
        """A sale that arrives before its subscription is known is answered 409 (PayPal
        delivers it again) and records nothing; redelivered later, it is applied."""
        sale = event("payment_sale_completed")
        assert send(client, paypal_standin, sale).status_code == 409
        assert nothing_recorded()
        send(client, paypal_standin, event("billing_subscription_activated"))
        assert send(client, paypal_standin, sale).status_code == 200
        assert Contribution.objects.get().supporter.email == "monthly.giver@example.org"


class PayPalWebhookRefusalTests:
    @pytest.mark.parametrize(
        "cert_url",
        [
            "https://evil.example/v1/notifications/certs/CERT-1",
            "http://api.paypal.com/v1/notifications/certs/CERT-1",
            "https://paypal.com.evil.example/certs/CERT-1",
            "https://evilpaypal.com/certs/CERT-1",
            "https://api.paypal.com:8443/certs/CERT-1",
            "https://user@api.paypal.com/certs/CERT-1",
            "file:///etc/passwd",
        ],
    )
    def test_cert_url_outside_paypal_is_refused(
        self, client, war_site, paypal_standin, cert_url, caplog
    ):
        """A webhook naming a certificate URL outside paypal.com / paypalobjects.com over
        https is refused before any call to PayPal, and records nothing."""
        with caplog.at_level(logging.WARNING, logger="dateline.support"):
            response = send(
                client, paypal_standin, event("billing_subscription_activated"), cert_url=cert_url
            )
        assert response.status_code == 400
        assert b"certificate URL" in response.content
        assert nothing_recorded()
        assert not any("verify-webhook-signature" in path for _, path in paypal_standin.calls)
        assert "monthly.giver" not in caplog.text

    def test_paypal_cert_hosts_are_allowed(self):
        """PayPal's own certificate hosts pass the check."""
        assert cert_url_allowed("https://api.paypal.com/v1/notifications/certs/CERT-360caa42")
        assert cert_url_allowed("https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1")
        assert cert_url_allowed("https://www.paypalobjects.com/certs/CERT-1")

    def test_forged_body_is_refused(self, client, war_site, paypal_standin):
        """A body changed after PayPal signed it fails PayPal's verification: 400, nothing."""
        body = json.dumps(event("billing_subscription_activated")).encode()
        headers = paypal_standin.signed_headers(body)
        forged = body.replace(b"monthly.giver@example.org", b"attacker@example.org")
        response = client.post(
            "/support/webhooks/paypal/", forged, content_type="application/json",
            headers={"host": "spacewar.localhost", **headers},
        )  # fmt: skip
        assert response.status_code == 400 and b"signature refused" in response.content
        assert nothing_recorded()

    def test_forged_signature_is_refused(self, client, war_site, paypal_standin):
        """A signature PayPal did not make is refused."""
        body = json.dumps(event("billing_subscription_activated")).encode()
        headers = paypal_standin.signed_headers(body)
        headers["PAYPAL-TRANSMISSION-SIG"] = "Zm9yZ2Vk" + headers["PAYPAL-TRANSMISSION-SIG"][8:]
        response = client.post(
            "/support/webhooks/paypal/", body, content_type="application/json",
            headers={"host": "spacewar.localhost", **headers},
        )  # fmt: skip
        assert response.status_code == 400 and nothing_recorded()

    def test_stale_transmission_is_refused(self, client, war_site, paypal_standin):
        """A genuine delivery replayed an hour later is refused as stale."""
        response = send(
            client,
            paypal_standin,
            event("billing_subscription_activated"),
            sent_at=datetime.now(UTC) - timedelta(hours=1),
        )
        assert response.status_code == 400 and b"stale" in response.content
        assert nothing_recorded()

    def test_missing_headers_and_malformed_body_are_refused(self, client, war_site, paypal_standin):
        """No PayPal headers, or a signed body that is not an event: 400, nothing recorded."""
        bare = client.post(
            "/support/webhooks/paypal/", b"{}", content_type="application/json",
            headers={"host": "spacewar.localhost"},
        )  # fmt: skip
        assert bare.status_code == 400
        for body in (b"not json", b"[]", b'{"id": "WH-1"}'):
            assert send(client, paypal_standin, None, body=body).status_code == 400
        assert nothing_recorded()

    def test_duplicate_delivery_changes_nothing(self, client, war_site, paypal_standin):
        """The same event delivered twice is recorded once."""
        payload = event("billing_subscription_activated")
        assert send(client, paypal_standin, payload).content == b"applied"
        assert send(client, paypal_standin, payload).content == b"duplicate"
        assert Subscription.objects.count() == 1 and ProviderEvent.objects.count() == 1
