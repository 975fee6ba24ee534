"""The payment provider registry and the providers' configuration from the environment."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from dateline.support.providers import (
    PaymentProvider,
    all_providers,
    enabled_providers,
    get_provider,
    register,
)


class RegistryTests:
    def test_duplicate_name_is_refused(self):
        """Registering a second provider under a taken name is an error."""
        with pytest.raises(ImproperlyConfigured, match="already registered"):

            @register("stripe")
            class Another(PaymentProvider):
                pass

    def test_unknown_name_names_the_known_ones(self):
        """Asking for an unknown provider says which exist."""
        with pytest.raises(ImproperlyConfigured, match="known: paypal, stripe"):
            get_provider("bitcoin")

    def test_instances_are_shared_and_stateless(self):
        """One instance per name, without per-request state."""
        assert get_provider("stripe") is get_provider("stripe")
        assert {p.name for p in all_providers()} == {"stripe", "paypal"}
        assert vars(get_provider("stripe")) == {}


class ConfigurationTests:
    def test_off_without_keys(self, settings, monkeypatch):
        """With no keys in the environment neither provider is on."""
        for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "PAYPAL_CLIENT_ID"):
            monkeypatch.delenv(name, raising=False)
        assert enabled_providers() == []

    def test_keys_from_the_environment_switch_it_on(self, monkeypatch):
        """Keys in the environment switch Stripe on; DATELINE_SUPPORT_STRIPE=off switches it off."""
        monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_x")
        monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
        assert get_provider("stripe").is_enabled()
        monkeypatch.setenv("DATELINE_SUPPORT_STRIPE", "off")
        assert not get_provider("stripe").is_enabled()

    def test_half_configuration_fails_the_system_check(self, monkeypatch):
        """A secret key without its webhook secret fails `dateline check` with a message
        saying what to set."""
        monkeypatch.setenv("PAYPAL_CLIENT_ID", "id")
        monkeypatch.delenv("PAYPAL_CLIENT_SECRET", raising=False)
        monkeypatch.delenv("PAYPAL_WEBHOOK_ID", raising=False)
        with pytest.raises(SystemCheckError) as error:
            call_command("check", "--tag", "support")
        message = str(error.value)
        assert "support.E001" in message
        assert (
            "PAYPAL_CLIENT_ID is set but PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID is not" in message
        )
        assert "docs/operations.md" in message

    def test_paypal_monthly_needs_a_plan(self, monkeypatch):
        """PayPal offers monthly gifts only when a billing plan is configured."""
        monkeypatch.delenv("PAYPAL_MONTHLY_PLAN_ID", raising=False)
        assert not get_provider("paypal").offers("monthly")
        assert get_provider("paypal").offers("once")
        monkeypatch.setenv("PAYPAL_MONTHLY_PLAN_ID", "P-1")
        assert get_provider("paypal").offers("monthly")
