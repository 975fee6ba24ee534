"""Payment providers: a registry keyed by name, and the shape every provider follows.

A provider is a stateless object: class attributes hold its defaults, hook methods talk to
the provider's API, and its settings are read from the environment (see docs/operations.md).
Checkouts are always the provider's hosted pages: no card data reaches our servers."""

import os
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..models import Frequency


class WebhookRefused(Exception):
    """A webhook we will not act on; ``reason`` is safe to log (no personal data)."""

    def __init__(self, reason: str, *, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


class ProviderError(Exception):
    """The provider's API failed or answered something we cannot use."""


@dataclass(frozen=True)
class Notice:
    """One webhook event (or checkout return), reduced to what the support app acts on.

    ``kind`` is one of: ``payment`` (money received), ``subscription_started``,
    ``payment_failed``, ``subscription_cancelled``, ``ignored``."""

    event_id: str
    event_type: str
    occurred_at: datetime
    kind: str
    checkout_token: str = ""
    subscription_ref: str = ""
    payment_ref: str = ""
    amount_minor: int | None = None
    currency: str = ""
    email: str = ""
    name: str = ""
    # The site named in the provider's metadata, for events that name no checkout of ours.
    site_slug: str = ""


@dataclass(frozen=True)
class CheckoutStart:
    """What a provider made of a checkout: its id there and the page to send the reader to."""

    provider_ref: str
    redirect_url: str
    extra: dict = field(default_factory=dict)


class PaymentProvider:
    name: str = ""
    label: str = ""
    # What the reader sees on the button, per frequency.
    frequencies: tuple[str, ...] = (Frequency.ONCE, Frequency.MONTHLY)
    # Environment variables that must all be set for the provider to be on.
    required_settings: tuple[str, ...] = ()
    # Setting that switches the provider off although its keys are set ("off").
    switch_setting: str = ""
    # Where the provider's hosted checkout lives (the CSP's form-action must allow it).
    checkout_origins: tuple[str, ...] = ()

    # -- configuration -------------------------------------------------------------------

    def setting(self, name: str, default: str = "") -> str:
        """A setting from Django's settings when defined there, else from the environment."""
        value = getattr(settings, name, None)
        if value is None:
            value = os.environ.get(name, default)
        return str(value).strip()

    def is_enabled(self) -> bool:
        if self.switch_setting and self.setting(self.switch_setting).lower() in {"off", "0"}:
            return False
        return all(self.setting(name) for name in self.required_settings)

    def configuration_errors(self) -> list[str]:
        """What is wrong with a half-made configuration (some keys set, others missing)."""
        present = [name for name in self.required_settings if self.setting(name)]
        missing = [name for name in self.required_settings if not self.setting(name)]
        if present and missing:
            return [
                f"{self.label}: {', '.join(present)} is set but {', '.join(missing)} is not. "
                f"Set {' and '.join(missing)} in the environment (see docs/operations.md, "
                f"'Reader support'), or unset {', '.join(present)} to switch {self.label} off."
            ]
        return []

    def offers(self, frequency: str) -> bool:
        return frequency in self.frequencies

    # -- hooks ----------------------------------------------------------------------------

    def start_checkout(self, checkout, *, return_url: str, cancel_url: str) -> CheckoutStart:
        """Create the hosted checkout for ``checkout`` and say where to send the reader."""
        raise NotImplementedError

    def complete_return(self, checkout, query) -> list[Notice]:
        """The reader is back from the hosted page (``query``: the return URL's query).
        Providers that need a call to finish the payment (PayPal's capture) make it here."""
        return []

    def parse_webhook(self, *, body: bytes, headers) -> Notice:
        """Verify a webhook delivery and reduce it to a Notice, or raise WebhookRefused."""
        raise NotImplementedError

    def cancel_subscription(self, subscription_ref: str) -> None:
        """Ask the provider to stop a monthly gift."""
        raise NotImplementedError


_REGISTRY: dict[str, PaymentProvider] = {}


def register(name: str):
    """Class decorator: register a payment provider under ``name`` (refuses duplicates)."""

    def decorate(cls):
        if name in _REGISTRY:
            raise ImproperlyConfigured(f"A payment provider named {name!r} is already registered.")
        cls.name = name
        _REGISTRY[name] = cls()
        return cls

    return decorate


def get_provider(name: str) -> PaymentProvider:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ImproperlyConfigured(f"No payment provider named {name!r}; known: {known}.") from None


def all_providers() -> list[PaymentProvider]:
    return list(_REGISTRY.values())


def enabled_providers() -> list[PaymentProvider]:
    return [provider for provider in _REGISTRY.values() if provider.is_enabled()]
