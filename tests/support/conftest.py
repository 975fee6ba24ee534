"""Fixtures of the support tests: the providers' stand-ins switched on through settings,
a real SMTP server on loopback, and the appeal of the test network."""

import asyncio
import json
import threading
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP
from django.core.cache import cache

from dateline.support.models import (
    AppealConfig,
    Contribution,
    ProviderEvent,
    Subscription,
    Supporter,
)

from .specs import SpecUnavailable
from .standins import PayPalStandIn, StripeStandIn

FIXTURES = Path(__file__).parent / "fixtures"
STRIPE_KEY = "sk_test_51StandInKey0000000000000000"
STRIPE_WEBHOOK_SECRET = "whsec_test_standin_secret"
PAYPAL_CLIENT_ID = "AStandInClientId"
PAYPAL_SECRET = "EStandInClientSecret"
PAYPAL_WEBHOOK_ID = "8PT597110X687430LKGECATA"
PAYPAL_PLAN_ID = "P-5ML4271244454362WXNWU5NQ"


def nothing_recorded() -> bool:
    """No provider event, payment, supporter or subscription was stored."""
    return not (
        ProviderEvent.objects.exists()
        or Contribution.objects.exists()
        or Supporter.objects.exists()
        or Subscription.objects.exists()
    )


def fixture_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Receipts are sent by the worker; here the task runs as it is enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The appeal is cached per site id; ids repeat from one test to the next."""
    cache.clear()
    yield
    cache.clear()


def _started(factory):
    try:
        return factory().start()
    except SpecUnavailable as error:
        pytest.fail(f"{error} (the stand-ins check traffic against the providers' documents)")


@pytest.fixture
def stripe_standin(settings):
    stand_in = _started(
        lambda: StripeStandIn(secret_key=STRIPE_KEY, webhook_secret=STRIPE_WEBHOOK_SECRET)
    )
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stand_in.base
    yield stand_in
    stand_in.stop()
    assert stand_in.violations == [], "requests the Stripe document does not allow"


@pytest.fixture
def paypal_standin(settings):
    stand_in = _started(
        lambda: PayPalStandIn(
            client_id=PAYPAL_CLIENT_ID, client_secret=PAYPAL_SECRET, webhook_id=PAYPAL_WEBHOOK_ID
        )
    )
    settings.PAYPAL_CLIENT_ID = PAYPAL_CLIENT_ID
    settings.PAYPAL_CLIENT_SECRET = PAYPAL_SECRET
    settings.PAYPAL_WEBHOOK_ID = PAYPAL_WEBHOOK_ID
    settings.PAYPAL_MONTHLY_PLAN_ID = PAYPAL_PLAN_ID
    settings.PAYPAL_API_BASE = stand_in.base
    yield stand_in
    stand_in.stop()
    assert stand_in.violations == [], "requests PayPal's documents do not allow"


@pytest.fixture
def appeal(network):
    return AppealConfig.objects.create(
        network=network,
        heading="Keep the wire free",
        text="Nobody pays to read us.\n\nReaders who give keep it so.",
        preset_amounts="5, 10, 25",
        min_amount=Decimal("2.00"),
        max_amount=Decimal("500.00"),
        currency="USD",
        allow_once=True,
        allow_monthly=True,
        thank_you_text="Thank you for keeping the wire free.",
    )


class SMTPSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 and a free port, in its own thread."""

    def __init__(self):
        self.messages = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: SMTP(self), "127.0.0.1", 0)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    def start(self):
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self):
        def close():
            self.server.close()
            self.loop.stop()

        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)


@pytest.fixture
def smtp_sink(settings):
    sink = SMTPSink().start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 10},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "support@network.example"
    yield sink
    sink.stop()
