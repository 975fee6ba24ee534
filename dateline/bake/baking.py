"""Baking: every public page, feed and sitemap of the network written into the page
store, and the files a change touches written again in place.

Pages are rendered by Django itself, through the whole middleware stack, as a reader's
request would be (one code path for the site, the cache and the bake); what is written
is the page's shell and its fragments (see store.py and regions.py).
"""

import io
import logging
import sys
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.utils import timezone

from . import regions
from .articles import bake_articles
from .middleware import page_headers
from .pages import Targets
from .store import META, PageStore, page_path_ok, write_if_changed

logger = logging.getLogger("dateline.bake")

# The page a missing path shows, baked for nginx's error_page.
NOT_FOUND_FILE = "_errors/404.html"
_NOT_FOUND_PROBE = "/dateline-not-found/"


@dataclass
class Rendered:
    status: int
    content_type: str
    body: bytes  # the shell for pages with fragments
    headers: list[list[str]]


_handler = None


def render_page(host: str, path: str) -> Rendered:
    """GET ``path`` on ``host`` through Django's middleware and views, as nginx in front
    of it would pass it (without the request signals: the connection stays open)."""
    global _handler
    if _handler is None:
        _handler = BaseHandler()
        _handler.load_middleware()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "HTTP_X_FORWARDED_PROTO": "https",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "https",
        "dateline.bake": True,  # PageStoreMiddleware: render only, the baker writes
    }
    # Not response.close(): it sends request_finished, which closes the connection.
    response = _handler.get_response(WSGIRequest(environ))
    content_type, headers = page_headers(response)
    return Rendered(response.status_code, content_type, response.content, headers)


class BakeError(Exception):
    """A page could not be rendered (a server error): its stored files are kept."""


def _page_writes(store: PageStore, host: str, path: str, rendered: Rendered):
    """(writes, removes) that store the rendered page at ``path``."""
    if rendered.status >= 500:
        raise BakeError(f"{host}{path} answered {rendered.status}; its stored files are kept")
    target, removes = store.page_target(host, path, rendered.status, rendered.content_type)
    return ({target: rendered.body} if target else {}), removes


def rebake(targets: Targets, *, store: PageStore | None = None) -> list:
    """Render again what ``targets`` names and write it in place; returns the files
    written or removed. Sites named whole are baked whole."""
    from dateline.network.models import Site

    store = store or _store()
    changed = []
    sites = {site.host: site for site in Site.objects.all()}
    for host in sorted(targets.sites & set(sites)):
        changed += bake_site(sites[host], store=store)
    for host in sorted((set(targets.pages) | set(targets.fragments)) - targets.sites):
        site = sites.get(host)
        if site is None:
            continue
        paths = [path for path in sorted(targets.pages.get(host, ())) if page_path_ok(path)]
        # What readers land on first (the story, its fronts and blocks), then the rest
        # (archives, feeds, sitemaps): each group written as one step.
        first = [path for path in paths if not path.startswith(_LATER)]
        fragments = sorted(targets.fragments.get(host, ()))
        changed += _rebake_group(store, site, first, fragments)
        changed += _rebake_group(store, site, [path for path in paths if path not in first], [])
    return changed


_LATER = ("/feeds/", "/sitemap", "/archive/", "/robots.txt")


def _rebake_group(store: PageStore, site, paths, fragment_names) -> list:
    host = site.host
    writes, removes = {}, []
    for path in paths:
        rendered = render_page(host, path)
        page_writes, page_removes = _page_writes(store, host, path, rendered)
        writes |= page_writes
        removes += page_removes
        if rendered.status == 200:
            store.headers_set(host, rendered.content_type, rendered.headers)
    for name, html in regions.render_fragments(site, fragment_names).items():
        if html is not None:
            writes[store.fragment_file(host, name)] = html.encode()
    if not (writes or removes):
        return []
    return store.replace(host, writes, removes)


def site_paths(site) -> list[str]:
    """Every public page, feed and sitemap of the site (the archive's pages included)."""
    from dateline.articles.models import Placement, Story
    from dateline.articles.selectors import site_sections
    from dateline.syndication.selectors import site_months

    sections = site_sections(site)
    paths = ["/", "/privacy/", "/archive/", "/robots.txt", "/sitemap.xml", "/sitemap-news.xml"]
    paths += ["/sitemap-fronts.xml", "/feeds/rss/", "/feeds/atom/"]
    paths += ["/feeds/network/rss/", "/feeds/network/atom/"]
    for section in sections:
        paths += [
            f"/{section.slug}/",
            f"/feeds/{section.slug}/rss/",
            f"/feeds/{section.slug}/atom/",
        ]
    paths += [f"/sitemap-{year:04d}-{month:02d}.xml" for year, month in site_months(site)]
    zone = zoneinfo.ZoneInfo(site.time_zone)
    days = set()
    for path, published_at in (
        _live(site).values_list("path", "published_at").iterator(chunk_size=5000)
    ):
        paths.append(path)
        days.add(published_at.astimezone(zone).date())
    for day in sorted(days):
        paths.append(f"/archive/{day:%Y/%m/%d}/")
    paths += sorted({f"/archive/{day:%Y/%m}/" for day in days})
    withdrawn = Placement.objects.filter(site=site, story__status=Story.Status.WITHDRAWN)
    paths += list(withdrawn.exclude(path="").values_list("path", flat=True))
    return [path for path in dict.fromkeys(paths) if page_path_ok(path)]


def _live(site):
    from dateline.articles.models import Placement

    return Placement.objects.filter(site=site, is_live=True, published_at__lte=timezone.now())


def bake_site(
    site, *, store: PageStore | None = None, paths=None, progress=None, processes: int = 1
) -> list:
    """Bake every page and fragment of the site; files no longer part of the site are
    removed. Returns the files written or removed. Article pages take the fast path
    (articles.py), over ``processes`` processes; every other page is rendered by Django."""
    from dateline.articles.selectors import site_sections

    store = store or _store()
    host = site.host
    written = set()
    changed = []
    names = regions.fragment_names(site, site_sections(site))
    for name, html in regions.render_fragments(site, names).items():
        file = store.fragment_file(host, name)
        written.add(file)
        if write_if_changed(file, (html or "").encode()):
            changed.append(file)
    not_found = render_page(host, _NOT_FOUND_PROBE)
    file = store.site_dir(host) / NOT_FOUND_FILE
    written.add(file)
    if write_if_changed(file, not_found.body):
        changed.append(file)
    failures = []
    paths = paths if paths is not None else site_paths(site)
    live = set(_live(site).values_list("path", flat=True))
    baked = bake_articles(
        site,
        [path for path in paths if path in live],
        store=store,
        processes=processes,
        progress=progress,
    )
    changed += baked.changed
    written |= {store.page_file(host, path) for path in live.intersection(paths)}
    written -= {store.page_file(host, path) for path in baked.slow}
    for path in [path for path in paths if path not in live] + baked.slow:
        rendered = render_page(host, path)
        try:
            writes, _removes = _page_writes(store, host, path, rendered)
        except BakeError as error:
            failures.append(str(error))
            continue
        for file, data in writes.items():
            written.add(file)
            if write_if_changed(file, data):
                changed.append(file)
        if rendered.status == 200:
            store.headers_set(host, rendered.content_type, rendered.headers)
        if progress is not None:
            progress(1)
    if failures:
        store.replace(host, {})
        raise BakeError(
            f"{len(failures)} pages of {host} failed (nothing removed): " + "; ".join(failures[:5])
        )
    # What the site no longer has (a deleted story, a removed section) goes.
    for file in store.site_dir(host).rglob("*"):
        if (
            file.is_file()
            and file not in written
            and file.relative_to(store.site_dir(host)).parts[0] != META
        ):
            file.unlink()
            changed.append(file)
    store.replace(host, {})  # a new generation: every process reloads what it holds
    return changed


def _store() -> PageStore:
    if not getattr(settings, "DATELINE_PAGE_DIR", ""):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Baking needs DATELINE_PAGE_DIR: the folder to bake into.")
    return PageStore(settings.DATELINE_PAGE_DIR)
