import ipaddress

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class OpsConfig(AppConfig):
    name = "dateline.ops"
    verbose_name = "Operations"

    def ready(self):
        checks.register(check_metrics_networks)


def check_metrics_networks(app_configs, **kwargs):
    """DATELINE_METRICS_NETWORKS must parse: a typo would otherwise surface as a 500
    on the first scrape."""
    errors = []
    for network in getattr(settings, "DATELINE_METRICS_NETWORKS", []):
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"DATELINE_METRICS_NETWORKS: {network!r} is not an IP network",
                    hint="Give networks like 127.0.0.1/32,10.0.0.0/8, comma-separated.",
                    id="dateline.ops.E001",
                )
            )
    return errors
