"""Newsletter fixtures: a real SMTP server on loopback (aiosmtpd), the mail settings
that point at it, and confirmed subscribers made in bulk."""

import re
from email import message_from_bytes, policy

import pytest
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.catcher import CountingHandler, LoopbackController
from dateline.newsletters.models import Subscriber, Subscription


@pytest.fixture
def smtp_server():
    handler = CountingHandler(keep=10_000)
    controller = LoopbackController(handler)
    controller.start()
    controller.handler_ = handler
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(settings, smtp_server):
    """Django's mail goes to the loopback server, through our SMTP backend."""
    from dateline.newsletters.email_url import mailer_from_url

    settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{smtp_server.port}")}
    settings.DATELINE_NEWSLETTER_FROM = "newsletters@spacewar.localhost"
    return smtp_server


@pytest.fixture
def war_newsletter(war_site, space_site):
    services.newsletters_ensure(network=war_site.network)
    return war_site.newsletter


@pytest.fixture
def subscribers(war_newsletter):
    """subscribers(n, newsletter=war_newsletter): n confirmed subscribers."""

    def make(count, newsletter=None, prefix="reader"):
        newsletter = newsletter or war_newsletter
        now = timezone.now()
        made = Subscriber.objects.bulk_create(
            [Subscriber(email=f"{prefix}{i}@example.com") for i in range(count)]
        )
        made = list(Subscriber.objects.filter(email__startswith=prefix).order_by("id"))
        Subscription.objects.bulk_create(
            [
                Subscription(
                    subscriber=s,
                    newsletter=newsletter,
                    status=Subscription.Status.CONFIRMED,
                    requested_at=now,
                    requested_from="test",
                    confirmed_at=now,
                    confirmed_from="test",
                )
                for s in made
            ]
        )
        return made

    return make


def parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def links_in(raw: bytes) -> list[str]:
    message = parse(raw)
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+", text)
