"""Bounces and complaints from an e-mail service's webhook (Mailgun's, through
django-anymail, which checks the signature and the basic-auth secret)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.models import Delivery, Subscriber

SIGNING_KEY = "test-mailgun-signing-key"
AUTH = "Basic " + base64.b64encode(b"hook:s3cret").decode()


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret", "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def event(recipient, kind="failed", severity="permanent", issue=None, key=SIGNING_KEY):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {"event": kind, "recipient": recipient, "timestamp": time.time(), "id": "evt-1"}
    if kind == "failed":
        data["severity"] = severity
    if issue:
        data["user-variables"] = {"issue": str(issue)}
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": data,
        }
    )


def post(client, body, auth=AUTH):
    headers = {"host": "spacewar.localhost"}
    if auth:
        headers["authorization"] = auth
    return client.post(
        "/newsletters/webhooks/mailgun/tracking/",
        body,
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.django_db
class TrackingWebhookTests:
    def test_hard_bounce_suppresses_and_counts_for_the_issue(
        self, client, mailgun, war_newsletter, subscribers, publish
    ):
        """A permanent failure suppresses the address and marks the issue's delivery bounced."""
        [reader] = subscribers(1)
        publish("Story")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        Delivery.objects.filter(issue=issue).update(state="sent")
        assert post(client, event(reader.email, issue=issue.id)).status_code == 200
        reader.refresh_from_db()
        assert reader.suppressed == "bounced" and reader.suppressed_at is not None
        assert Delivery.objects.get(issue=issue).bounced_at is not None

    def test_complaint_suppresses(self, client, mailgun, subscribers):
        """A spam complaint suppresses the address."""
        [reader] = subscribers(1)
        assert post(client, event(reader.email, kind="complained")).status_code == 200
        assert Subscriber.objects.get().suppressed == "complained"

    def test_temporary_failure_does_not_suppress(self, client, mailgun, subscribers):
        """A soft bounce (deferred) leaves the address alone."""
        [reader] = subscribers(1)
        assert post(client, event(reader.email, severity="temporary")).status_code == 200
        assert Subscriber.objects.get().suppressed == ""

    def test_forged_signature_is_refused(self, client, mailgun, subscribers):
        """A webhook signed with another key is refused; nothing changes."""
        [reader] = subscribers(1)
        response = post(client, event(reader.email, key="forged-key"))
        assert response.status_code == 400
        assert Subscriber.objects.get().suppressed == ""

    def test_missing_basic_auth_is_refused(self, client, mailgun, subscribers):
        """A correctly signed webhook without the shared secret is refused."""
        [reader] = subscribers(1)
        response = post(client, event(reader.email), auth=None)
        assert response.status_code in (400, 401, 403)
        assert Subscriber.objects.get().suppressed == ""

    def test_webhooks_are_off_without_a_secret(self, client, settings, subscribers):
        """With no webhook secret configured, a basic-auth-only service's webhook
        (Postmark's) is not answered: a forged bounce cannot suppress anyone."""
        settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
        [reader] = subscribers(1)
        forged = {"RecordType": "Bounce", "Type": "HardBounce", "Email": reader.email,
                  "BouncedAt": "2026-11-25T10:00:00Z", "MessageID": "x"}  # fmt: skip
        response = client.post(
            "/newsletters/webhooks/postmark/tracking/",
            json.dumps(forged),
            content_type="application/json",
            headers={"host": "spacewar.localhost"},
        )
        assert response.status_code == 404
        assert Subscriber.objects.get().suppressed == ""

    def test_inbound_mail_webhooks_are_not_exposed(self, client, mailgun):
        """Only the tracking webhooks are routed; anymail's inbound ones are not."""
        response = client.post(
            "/newsletters/webhooks/mailgun/inbound/", {}, headers={"host": "spacewar.localhost"}
        )
        assert response.status_code == 404
