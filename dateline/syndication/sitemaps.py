"""Sitemaps (sitemaps.org 0.9): an index per site, one sitemap per month of
articles, the fronts, and a Google News sitemap of the last 48 hours."""

from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from dateline.articles import selectors as page_selectors
from dateline.network.middleware import request_site

from . import selectors

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class _SiteSitemap(Sitemap):
    """A sitemap of one of our sites: its addresses start with the site's public base URL
    (scheme and port from settings, as in the index, feeds and canonical links), not with
    the host and scheme of the request that asked (the baker's, a proxy's)."""

    def get_urls(self, page=1, site=None, protocol=None):
        scheme, _, domain = self.site.base_url.partition("://")
        return super().get_urls(page=page, site=_Domain(domain), protocol=scheme)


class _Domain:
    def __init__(self, domain):
        self.domain = domain


class FrontsSitemap(_SiteSitemap):
    changefreq = "hourly"

    def __init__(self, site):
        self.site = site

    def items(self):
        return ["/", *(f"/{s.slug}/" for s in page_selectors.site_sections(self.site))]

    def location(self, path):
        return path


class MonthSitemap(_SiteSitemap):
    limit = 50000  # the protocol's maximum per file

    def __init__(self, site, year, month):
        self.site, self.year, self.month = site, year, month

    def items(self):
        return selectors.month_locations(self.site, self.year, self.month)

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


def sitemap_sections(site) -> dict:
    sections = {"fronts": FrontsSitemap(site)}
    for year, month in selectors.site_months(site):
        sections[f"{year:04d}-{month:02d}"] = MonthSitemap(site, year, month)
    return sections


@require_safe
def index(request):
    """The sitemap index: the fronts and one sitemap per month with stories. Written
    here rather than by django.contrib.sitemaps' index view, which counts every
    section's URLs (reading every month of the archive) to paginate them."""
    site = request_site(request)
    base = escape(site.base_url)
    names = ["fronts"] + [f"{year:04d}-{month:02d}" for year, month in selectors.site_months(site)]
    entries = "".join(f"<sitemap><loc>{base}/sitemap-{name}.xml</loc></sitemap>" for name in names)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


@require_safe
def section(request, section):
    from django.contrib.sitemaps import views

    return views.sitemap(request, sitemap_sections(request_site(request)), section=section)


@require_safe
def news(request):
    """Google News sitemap: the stories of the last 48 hours, with the publication's
    name and language (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)."""
    site = request_site(request)
    base = site.base_url
    entries = []
    for path, published, headline in selectors.news_locations(site):
        entries.append(
            "<url>"
            f"<loc>{escape(base + path)}</loc>"
            "<news:news><news:publication>"
            f"<news:name>{escape(site.name)}</news:name>"
            f"<news:language>{escape(site.language or 'en')}</news:language>"
            "</news:publication>"
            f"<news:publication_date>{published.isoformat(timespec='seconds')}</news:publication_date>"
            f"<news:title>{escape(headline)}</news:title>"
            "</news:news></url>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="{NEWS_NS}">'
        + "".join(entries)
        + "</urlset>\n"
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


@require_safe
def robots(request):
    site = request_site(request)
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /wire/",
        "",
        f"Sitemap: {site.base_url}/sitemap.xml",
        f"Sitemap: {site.base_url}/sitemap-news.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
