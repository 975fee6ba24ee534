"""Queries about the network and its sites."""

from django.http.request import split_domain_port

from .models import Agency, Network, Site


def site_for_host(host_header: str) -> Site | None:
    """The site answering at this Host header (port ignored, case-insensitive)."""
    host, _port = split_domain_port(host_header)
    if not host:
        return None
    return Site.objects.select_related("network").filter(host=host.lower().rstrip(".")).first()


def network_sites(network: Network) -> list[Site]:
    return list(network.sites.order_by("order", "name"))


def network_attributions(network: Network) -> list[Agency]:
    """Agencies credited with a copyright holder, for the footer's attribution notice."""
    return list(Agency.objects.exclude(copyright_holder="").order_by("code"))
