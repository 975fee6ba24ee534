"""The search page of each site: /search/?q=...&section=...&source=...&since=...&until=...&page=..."""

from datetime import datetime, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_safe

from dateline.articles import selectors as page_selectors
from dateline.articles.views import site_page
from dateline.wire.models import Source

from . import selectors
from .query import parse

PAGE_SIZE = 20
MAX_PAGE = 50


def _day(value: str, label: str, errors: list):
    """A UTC midnight from a YYYY-MM-DD field, or None (with an error when malformed)."""
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2200:
        errors.append(f"The {label} date must be a real date like 2026-11-25.")
        return None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.UTC)


@require_safe
def search(request):
    site = getattr(request, "site", None)
    if site is None:
        raise Http404("No site at this host")
    sections = page_selectors.site_sections(site)
    text = request.GET.get("q", "")[:200]
    query = parse(text)
    section = next((s for s in sections if s.slug == request.GET.get("section")), None)
    sources = list(
        Source.objects.filter(is_active=True).order_by("name").only("id", "slug", "name")
    )
    source = next((s for s in sources if s.slug == request.GET.get("source")), None)
    try:
        page = max(1, min(MAX_PAGE, int(request.GET.get("page", 1))))
    except ValueError:
        page = 1
    errors = []
    since = _day(request.GET.get("since", ""), "start", errors)
    until = _day(request.GET.get("until", ""), "end", errors)
    hits, more = [], False
    if not query.empty and not errors:
        hits, more = selectors.search(
            site, query, section_id=section.id if section else None,
            source_id=source.id if source else None, since=since,
            until=until + timedelta(days=1) if until else None,
            limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
        )  # fmt: skip
    base_query = request.GET.copy()
    base_query.pop("page", None)
    response = site_page(
        request,
        "search/results.html",
        {
            "q": text, "query": query, "hits": hits, "page": page, "more": more and page < MAX_PAGE,
            "chosen_section": section, "sections": sections, "errors": errors,
            "chosen_source": source, "sources": sources,
            "since": request.GET.get("since", ""), "until": request.GET.get("until", ""),
            "base_query": base_query.urlencode(), "first_number": (page - 1) * PAGE_SIZE + 1,
        },
    )  # fmt: skip
    response.headers["X-Robots-Tag"] = "noindex"
    return response
