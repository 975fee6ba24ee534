"""Spam defences other than moderation: the comment forms' rate limits
(``dateline.ratelimit``, configured by DATELINE_COMMENTS_RATE_LIMITS) and Akismet."""

import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from dateline.ratelimit import RateLimit

logger = logging.getLogger("dateline.comments")


def rate_limit(name: str) -> RateLimit:
    limit, window = settings.DATELINE_COMMENTS_RATE_LIMITS[name]
    return RateLimit(f"comments-{name}", int(limit), int(window))


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
