"""Rate limits for the public forms (comments, newsletter signups, support checkouts) and
the reader's address they count by.

A limit counts in windows of Django's cache: the first request of a window creates the
counter with the window as its timeout, the others increment it (per process with the
local-memory cache; shared by every web process once CACHES points at Redis). Keys are
keyed hashes, so neither addresses nor IPs sit in the cache in clear.
"""

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The reader's IP address. Behind the TLS proxy, REMOTE_ADDR is the proxy's: when
    it is one of DATELINE_TRUSTED_PROXIES, the address is the right-most entry of
    X-Forwarded-For that is not a trusted proxy (entries further left are the
    client's own claims and could be forged)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _trusted_networks()
    if not trusted or not _in(remote, trusted):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([part for part in forwarded if part]):
        if not _in(candidate, trusted):
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def _trusted_networks():
    return [
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in settings.DATELINE_TRUSTED_PROXIES
        if entry.strip()
    ]


def _in(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def keyed_hash(value: str) -> str:
    """A stable, keyed hash of an address or IP (the secret key is the key)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), value.strip().lower().encode(), hashlib.sha256
    ).hexdigest()


@dataclass(frozen=True)
class RateLimit:
    """``limit`` events per ``window`` seconds for one value (an IP, an address) under
    ``name``; a limit of 0 or less is switched off."""

    name: str
    limit: int
    window: int  # seconds

    def hit(self, value: str) -> bool:
        """Count one event for ``value``; True when it goes over the limit."""
        if self.limit <= 0:
            return False
        key = f"dateline:rate:{self.name}:{keyed_hash(value)}"
        if cache.add(key, 1, timeout=self.window):
            return False
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=self.window)
            return False
        return count > self.limit

    @property
    def minutes(self) -> int:
        return max(1, round(self.window / 60))
