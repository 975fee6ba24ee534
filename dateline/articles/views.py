"""Public pages of a site: home, section fronts, articles, the date archive, privacy."""

import calendar
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.http import Http404, HttpResponseNotFound, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from dateline.network.middleware import UNKNOWN_HOST_PAGE, request_site
from dateline.network.models import Site, public_base_url
from dateline.network.selectors import network_attributions, network_sites

from . import selectors
from .models import Story
from .structured import news_article


def footer_renderer(site: Site):
    """Renders the network footer (a fragment, see dateline/bake/regions.py)."""

    def render_footer():
        network = site.network
        this_year = timezone.now().year
        return render_to_string(
            "fragments/footer.html",
            {
                "network": network,
                "sites": network_sites(network),
                "attributions": network_attributions(network),
                "years": f"{network.first_year}-{this_year}",
            },
        )

    return render_footer


def headlines_renderer(site: Site, section):
    """Renders a section's headline block (a fragment, see dateline/bake/regions.py)."""

    def render_block():
        return render_to_string(
            "fragments/headlines.html",
            {
                "site": site,
                "section": section,
                "items": selectors.headline_block(
                    section, size=settings.DATELINE_HEADLINE_BLOCK_SIZE
                ),
            },
        )

    return render_block


def site_page(request, template, context, *, status=200, blocks_for=()):
    """A page in the site's frame (masthead, section navigation, footer, headline blocks
    of ``blocks_for``): the public pages of every app render through it."""
    site = request_site(request)
    sections = context.pop("sections", None) or selectors.site_sections(site)
    # The footer, headline blocks and promotions are fragments the page includes
    # (dateline/bake/regions.py); the response is assembled on its way out.
    context.update(site=site, sections=sections, block_sections=list(blocks_for))
    return render(request, template, context, status=status)


def _cursor(request):
    token = request.GET.get("before")
    if token is None:
        return None
    cursor = selectors.Cursor.decode(token)
    if cursor is None:
        raise Http404("Not a page of this listing")
    return cursor


@require_safe
def home(request):
    site = request_site(request)
    sections = selectors.site_sections(site)
    latest = selectors.site_latest(site, size=settings.DATELINE_HOME_LATEST)
    latest = selectors.with_lead(latest, selectors.front_lead(site))
    return site_page(
        request,
        "articles/home.html",
        {"latest": latest, "sections": sections},
        blocks_for=sections,
    )


@require_safe
def section_front(request, section_slug):
    site = request_site(request)
    sections = selectors.site_sections(site)
    section = next((s for s in sections if s.slug == section_slug), None)
    if section is None:
        raise Http404("No such section")
    front = selectors.section_front(
        section, before=_cursor(request), size=settings.DATELINE_FRONT_PAGE_SIZE
    )
    if not front.items and "before" in request.GET:
        raise Http404("No older stories")
    if "before" not in request.GET:
        front = selectors.with_lead(front, selectors.front_lead(site, section))
    return site_page(
        request,
        "articles/section.html",
        {
            "section": section,
            "front": front,
            "sections": sections,
            "is_first": "before" not in request.GET,
        },
        blocks_for=[s for s in sections if s.id != section.id],
    )


@require_safe
def article(request, **_path_parts):
    site = request_site(request)
    path = request.path_info
    article = selectors.article_at(site, path)
    if article is None:
        target = selectors.redirect_target(site, path)
        if target:
            return HttpResponsePermanentRedirect(target)
        raise Http404("No such article")
    if article.status == Story.Status.WITHDRAWN:
        return site_page(request, "articles/withdrawn.html", {"story": article}, status=410)
    if not article.is_public:
        raise Http404("Not published")
    context = article_context(
        site,
        article,
        sections=selectors.site_sections(site),
        canonical=selectors.canonical_location(site, article),
        previous=selectors.previous_in_section(article),
        related_links=selectors.related_links(article.section),
    )
    return render(request, "articles/article.html", context)


def article_context(site, article, *, sections, canonical, previous, related_links) -> dict:
    """The template context of a published article's page, from what the selectors
    read. The view and the baker's fast path (dateline/bake/articles.py, which reads
    the same selectors in batches) both build it here, so their pages cannot drift."""
    canonical_host, canonical_path = canonical
    canonical_url = public_base_url(canonical_host) + canonical_path
    return {
        "story": article,
        "section": article.section,
        "canonical_url": canonical_url,
        "structured_data": news_article(site, article, canonical_url),
        "previous": previous,
        "related_links": related_links,
        "site": site,
        "sections": sections,
        "block_sections": [s for s in sections if s.id != article.section.id],
    }


def _local_midnight(day: date, time_zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zoneinfo.ZoneInfo(time_zone))


@require_safe
def archive_index(request):
    site = request_site(request)
    first = selectors.site_first_published(site)
    zone = zoneinfo.ZoneInfo(site.time_zone)
    months = []
    if first is not None:
        first_local, now_local = first.astimezone(zone), timezone.now().astimezone(zone)
        year, month = now_local.year, now_local.month
        while (year, month) >= (first_local.year, first_local.month):
            months.append(date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    years = {}
    for month in months:
        years.setdefault(month.year, []).append(month)
    return site_page(request, "articles/archive_index.html", {"years": years})


def _archive_date(year, month, day=1) -> date:
    """The date of an archive page; 404 outside 1990..this year or when impossible."""
    try:
        the_day = date(year, month, day)
    except ValueError:
        raise Http404("No such date") from None
    if not (1990 <= year <= timezone.now().year):
        raise Http404("Outside the archive")
    return the_day


@require_safe
def archive_month(request, year, month):
    site = request_site(request)
    _archive_date(year, month)
    start = _local_midnight(date(year, month, 1), site.time_zone)
    days_in_month = calendar.monthrange(year, month)[1]
    end = start + timedelta(days=days_in_month + 1)
    zone = zoneinfo.ZoneInfo(site.time_zone)
    counts = {}
    for published_at in selectors.site_days_with_stories(site, start=start, end=end):
        local_day = published_at.astimezone(zone).date()
        if local_day.month == month:
            counts[local_day] = counts.get(local_day, 0) + 1
    weeks = calendar.Calendar().monthdatescalendar(year, month)
    return site_page(
        request,
        "articles/archive_month.html",
        {"month": date(year, month, 1), "weeks": weeks, "counts": counts},
    )


@require_safe
def archive_day(request, year, month, day):
    site = request_site(request)
    the_day = _archive_date(year, month, day)
    stories = selectors.site_day(
        site,
        start=_local_midnight(the_day, site.time_zone),
        before=_cursor(request),
        size=settings.DATELINE_FRONT_PAGE_SIZE * 5,
    )
    return site_page(
        request,
        "articles/archive_day.html",
        {
            "day": the_day,
            "stories": stories,
            "previous_day": the_day - timedelta(days=1),
            "next_day": the_day + timedelta(days=1) if the_day < timezone.now().date() else None,
        },
    )


@require_safe
def privacy(request):
    return site_page(request, "articles/privacy.html", {"network": request_site(request).network})


def not_found(request, exception=None):
    """The 404 page in the site's style (a plain one for unknown hosts)."""
    if getattr(request, "site", None) is None:
        return HttpResponseNotFound(UNKNOWN_HOST_PAGE)
    return site_page(request, "articles/404.html", {}, status=404)
