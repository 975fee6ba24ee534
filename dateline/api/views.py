"""A read-only content API per site: ``/api/v1/articles`` (newest first, filters,
cursor pagination) and ``/api/v1/articles/<id>``, each article an IPTC ninjs 2.0
news item (``ninjs.py``) in our own list envelope (``items``, ``next``). ETags and 304s
come from the conditional GET middleware."""

from datetime import datetime

from django.http import JsonResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_safe

from dateline.articles.selectors import Cursor, canonical_locations
from dateline.network.models import public_base_url
from dateline.syndication.selectors import feed_entries

from .ninjs import article_ninjs
from .openapi import openapi_document

MAX_LIMIT = 100


def _as_ninjs(site, entries) -> list[dict]:
    """The entries as ninjs 2.0 items, each naming its story's canonical URL (one
    query for the page)."""
    canonical = canonical_locations({entry.story_id for entry in entries})
    items = []
    for entry in entries:
        host, path = canonical.get(entry.story_id, (site.host, entry.path))
        items.append(article_ninjs(entry, site=site, canonical_url=public_base_url(host) + path))
    return items


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _moment(value: str, name: str):
    """An ISO date or date-time (UTC when no zone is given), or ValueError."""
    from django.utils import timezone

    example = f"{name} must be an ISO 8601 date or date-time, e.g. 2026-11-25"
    try:
        when = parse_datetime(value) if "T" in value or " " in value else None
        if when is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(example)
            when = datetime(day.year, day.month, day.day)
    except ValueError as error:  # e.g. "month must be in 1..12": say which parameter
        message = str(error)
        raise ValueError(message if message == example else f"{name}: {message}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.UTC)
    try:
        # In UTC, as the database compares it: 9999-12-31T23:59-14:00 is past year 9999.
        return when.astimezone(timezone.UTC)
    except OverflowError:
        raise ValueError(f"{name} is out of the range of dates") from None


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; no slug has one, so a value with NUL matches
    # nothing, as it would on SQLite (U+FFFD is in no slug either).
    return value.replace("\x00", "\ufffd")


@require_safe
def articles(request):
    site = getattr(request, "site", None)
    if site is None:
        return _error(404, "no site at this host")
    unknown = set(request.GET) - {"section", "source", "since", "until", "cursor", "limit"}
    if unknown:
        return _error(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    where, params = ["p.site_id = %s"], [site.id]
    try:
        limit = int(request.GET.get("limit", 20))
    except ValueError:
        return _error(400, "limit must be a whole number")
    if not 1 <= limit <= MAX_LIMIT:
        return _error(400, f"limit must be between 1 and {MAX_LIMIT}")
    if "section" in request.GET:
        where.append("s.slug = %s")
        params.append(_no_nul(request.GET["section"]))
    if "source" in request.GET:
        where.append("src.slug = %s")
        params.append(_no_nul(request.GET["source"]))
    try:
        if "since" in request.GET:
            where.append("p.published_at >= %s")
            params.append(_moment(request.GET["since"], "since"))
        if "until" in request.GET:
            where.append("p.published_at < %s")
            params.append(_moment(request.GET["until"], "until"))
    except (ValueError, OverflowError) as error:
        return _error(400, str(error))
    if "cursor" in request.GET:
        cursor = Cursor.decode(request.GET["cursor"])
        if cursor is None:
            return _error(400, "cursor is not one this API gave out")
        where.append("(p.published_at < %s OR (p.published_at = %s AND p.id < %s))")
        params += [cursor.published_at, cursor.published_at, cursor.placement_id]
    entries = feed_entries(where=" AND ".join(where), params=params, limit=limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    body = {"items": _as_ninjs(site, entries), "next": None}
    if more:
        last = entries[-1]
        query = request.GET.copy()
        query["cursor"] = Cursor(last.published_at, last.placement_id).encode()
        body["next"] = f"{site.base_url}/api/v1/articles?{query.urlencode()}"
    return JsonResponse(body)


@require_safe
def article(request, story_id: int):
    site = getattr(request, "site", None)
    if site is None:
        return _error(404, "no site at this host")
    if story_id > 2**62:
        return _error(404, "no such article")
    found = feed_entries(where="p.site_id = %s AND st.id = %s", params=[site.id, story_id], limit=1)
    if not found:
        return _error(404, "no such article on this site")
    return JsonResponse(_as_ninjs(site, found)[0])


@require_safe
def openapi(request):
    site = getattr(request, "site", None)
    server = site.base_url if site else ""
    return JsonResponse(openapi_document(server))
