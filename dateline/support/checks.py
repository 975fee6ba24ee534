"""System checks: a payment provider with some of its keys set and others missing is an
error (``dateline check``), so that a half-made configuration is seen before readers see it."""

from django.core import checks


@checks.register("support")
def providers_configured(app_configs, **kwargs):
    from .providers import all_providers

    return [
        checks.Error(message, id="support.E001")
        for provider in all_providers()
        for message in provider.configuration_errors()
    ]
