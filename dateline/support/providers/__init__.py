"""Payment providers, registered by name; importing this package registers them all."""

from . import paypal, stripe  # noqa: F401  (registration)
from .base import (
    CheckoutStart,
    Notice,
    PaymentProvider,
    ProviderError,
    WebhookRefused,
    all_providers,
    enabled_providers,
    get_provider,
    register,
)

__all__ = [
    "CheckoutStart",
    "Notice",
    "PaymentProvider",
    "ProviderError",
    "WebhookRefused",
    "all_providers",
    "enabled_providers",
    "get_provider",
    "register",
]
