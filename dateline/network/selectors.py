"""Queries about the network and its sites."""

from django.db import connection
from django.http.request import split_domain_port

from .models import Agency, Network, Site

_SITE_FIELDS = [field.attname for field in Site._meta.concrete_fields]
# Plain SQL: this runs on every request, and building the ORM query would cost
# more than SQLite takes to answer it (see dateline/articles/selectors.py).
_SITE_BY_HOST = "SELECT {} FROM network_site WHERE host = %s".format(  # noqa: S608 - model field names
    ", ".join(f'"{name}"' for name in _SITE_FIELDS)
)


def site_for_host(host_header: str) -> Site | None:
    """The site answering at this Host header (port ignored, case-insensitive)."""
    host, _port = split_domain_port(host_header)
    if not host:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SITE_BY_HOST, [host.lower().rstrip(".")])
        row = cursor.fetchone()
    return Site.from_db(connection.alias, _SITE_FIELDS, row) if row else None


def network_sites(network: Network) -> list[Site]:
    return list(network.sites.order_by("order", "name"))


def network_attributions(network: Network) -> list[Agency]:
    """Agencies credited with a copyright holder, for the footer's attribution notice."""
    return list(Agency.objects.exclude(copyright_holder="").order_by("code"))
