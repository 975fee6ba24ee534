"""Spam defences other than moderation: rate limits (Django's cache) and Akismet.

Rate limits count in fixed windows: the first request of a window creates the
counter with the window as its timeout, the others increment it. Keys are keyed
hashes, so neither addresses nor IPs sit in the cache in clear."""

import hashlib
import hmac
import ipaddress
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("dateline.comments")


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
    name: str
    limit: int
    window: int  # seconds

    def hit(self, value: str) -> bool:
        """Count one request for ``value``; True when it goes over the limit."""
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


def rate_limit(name: str) -> RateLimit:
    limit, window = settings.DATELINE_COMMENTS_RATE_LIMITS[name]
    return RateLimit(name, int(limit), int(window))


# Akismet REST API 1.1 (https://akismet.com/developers/detailed-docs/comment-check/).
# A stdlib client: one form POST and a "true"/"false" answer do not justify a
# dependency, and the endpoint must be configurable to test against a stand-in.
AKISMET_SPAM = "spam"
AKISMET_HAM = "ham"


def akismet_check(*, blog: str, fields: dict[str, str]) -> str | None:
    """``spam``, ``ham``, or None when Akismet is off or did not answer clearly.
    ``fields`` are comment-check parameters (user_ip, comment_content, ...)."""
    key = settings.AKISMET_API_KEY
    if not key:
        return None
    url = settings.AKISMET_API_URL.rstrip("/") + "/comment-check"
    data = urllib.parse.urlencode(
        {"api_key": key, "blog": blog, "comment_type": "comment", **fields}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
        url,
        data=data,
        headers={"User-Agent": "Dateline/0.1 | Akismet client"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.AKISMET_TIMEOUT) as response:  # noqa: S310
            answer = response.read(64).decode("ascii", "replace").strip()
            hint = response.headers.get("X-akismet-debug-help", "")
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        logger.warning("Akismet did not answer (%s); the comment goes to moderation", error)
        return None
    if answer == "true":
        return AKISMET_SPAM
    if answer == "false":
        return AKISMET_HAM
    logger.warning("Akismet answered %r (%s); the comment goes to moderation", answer, hint)
    return None
