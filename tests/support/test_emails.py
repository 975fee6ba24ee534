"""The thank-you e-mail and its receipt, received by a real SMTP server on loopback, and
the monthly gift's stop link in it."""

import re

import pytest

from dateline.support.models import Subscription

from .test_stripe import event, send

pytestmark = pytest.mark.django_db
HOST = {"host": "spacewar.localhost"}


def deliver(client, stripe_standin, name, capture, **changes):
    with capture(execute=True):
        response = send(client, stripe_standin, event(name, **changes))
    assert response.status_code == 200, response.content
    return response


class ReceiptTests:
    def test_one_off_receipt(
        self,
        client,
        war_site,
        appeal,
        stripe_standin,
        smtp_sink,
        django_capture_on_commit_callbacks,
    ):
        """A one-off gift sends one thank-you e-mail with its receipt and no stop link."""
        deliver(
            client,
            stripe_standin,
            "checkout_session_completed_payment",
            django_capture_on_commit_callbacks,
        )
        [(recipients, message)] = smtp_sink.messages
        assert recipients == ["first.reader@example.org"]
        body = message.get_content()
        assert message["From"] == "support@network.example"
        assert "receipt R-" in message["Subject"]
        assert "Dear First Reader," in body and "Thank you for keeping the wire free." in body
        assert "Amount:     10.00 USD" in body and "Frequency:  once" in body
        assert "Card (Stripe)" in body
        assert "/support/monthly/" not in body

    def test_duplicate_event_sends_no_second_receipt(
        self,
        client,
        war_site,
        appeal,
        stripe_standin,
        smtp_sink,
        django_capture_on_commit_callbacks,
    ):
        """A second delivery of the same event sends nothing."""
        payload = event("checkout_session_completed_payment")
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                send(client, stripe_standin, payload)
        assert len(smtp_sink.messages) == 1

    def test_mail_server_down_loses_no_gift(
        self, client, war_site, appeal, stripe_standin, settings, django_capture_on_commit_callbacks
    ):
        """When the mail server refuses, the gift is still recorded and the webhook answered."""
        settings.MAILERS = {"default": {"OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}
        deliver(
            client,
            stripe_standin,
            "checkout_session_completed_payment",
            django_capture_on_commit_callbacks,
        )
        from dateline.support.models import Contribution

        assert Contribution.objects.count() == 1


class MonthlyStopLinkTests:
    def _monthly(self, client, stripe_standin, capture, war_site):
        from dateline.support.models import Checkout

        checkout = Checkout.objects.create(
            site=war_site, provider="stripe", frequency="monthly", amount_minor=500,
            currency="USD", created_at="2026-11-25T12:00Z",
        )  # fmt: skip
        token = str(checkout.token)
        deliver(
            client,
            stripe_standin,
            "checkout_session_completed_subscription",
            capture,
            client_reference_id=token,
        )
        paid = event("invoice_paid")
        paid["data"]["object"]["parent"]["subscription_details"]["metadata"]["checkout"] = token
        with capture(execute=True):
            send(client, stripe_standin, paid)

    def test_monthly_receipt_stops_from_its_link(
        self,
        client,
        war_site,
        appeal,
        stripe_standin,
        smtp_sink,
        django_capture_on_commit_callbacks,
    ):
        """A monthly receipt carries a signed link; following it and confirming stops the
        gift at Stripe and here."""
        self._monthly(client, stripe_standin, django_capture_on_commit_callbacks, war_site)
        [(_, message)] = smtp_sink.messages
        body = message.get_content()
        assert "Frequency:  monthly" in body
        link = re.search(r"http://spacewar\.localhost(/support/monthly/[^/\s]+/)", body).group(1)
        page = client.get(link, headers=HOST)
        assert page.status_code == 200 and b"Stop my monthly gift" in page.content
        assert Subscription.objects.get().status == Subscription.Status.ACTIVE
        stopped = client.post(link, headers=HOST)
        assert stopped.status_code == 200 and b"has been stopped" in stopped.content
        subscription = Subscription.objects.get()
        assert subscription.status == Subscription.Status.CANCELLED
        assert stripe_standin.cancelled == ["sub_1QaStandIn0001"]
        # Stripe's own cancellation event arrives later and changes nothing more.
        send(client, stripe_standin, event("customer_subscription_deleted"))
        assert subscription.events.filter(kind="cancelled").count() == 1
        again = client.get(link, headers=HOST)
        assert b"stopped already" in again.content

    def test_stop_page_needs_csrf(
        self, war_site, appeal, stripe_standin, smtp_sink, django_capture_on_commit_callbacks
    ):
        """The stop form is protected against cross-site posts (CSRF)."""
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        self._monthly(client, stripe_standin, django_capture_on_commit_callbacks, war_site)
        body = smtp_sink.messages[0][1].get_content()
        link = re.search(r"(/support/monthly/[^/\s]+/)", body).group(1)
        assert client.post(link, headers=HOST).status_code == 403
        assert Subscription.objects.get().status == Subscription.Status.ACTIVE

    def test_tampered_link_is_refused(self, client, war_site, appeal):
        """A link whose signature does not match answers 404 and stops nothing."""
        response = client.get("/support/monthly/eyJzIjoxfQ:forged:signature/", headers=HOST)
        assert response.status_code == 404 and b"not valid" in response.content


class ReceiptTaskTests:
    def test_task_run_twice_sends_once(self, war_site, smtp_sink):
        """The receipt task is safe to run twice: the second run sends nothing."""
        from django.utils import timezone

        from dateline.support.models import Contribution, Supporter
        from dateline.support.tasks import receipt_send_task

        reader = Supporter.objects.create(email="twice@example.org", created_at=timezone.now())
        gift = Contribution.objects.create(
            supporter=reader, site=war_site, provider="stripe", provider_ref="pi_twice",
            frequency="once", amount_minor=700, currency="USD", received_at=timezone.now(),
            receipt_number="R-TWICE",
        )  # fmt: skip
        receipt_send_task.enqueue(gift.id)
        receipt_send_task.enqueue(gift.id)
        assert len(smtp_sink.messages) == 1
        assert "Amount:     7.00 USD" in smtp_sink.messages[0][1].get_content()
