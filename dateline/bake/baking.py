"""Baking: every public page, feed and sitemap of the network written into the page
store, and the files a change touches written again in place.

Pages are rendered by Django itself, through the whole middleware stack, as a reader's
request would be (one code path for the site, the cache and the bake); what is written
is the page's shell and its fragments (see store.py and regions.py).
"""

import io
import logging
import multiprocessing
import os
import sys
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.utils import timezone

from . import regions
from .articles import CHUNK, ArticleBaker
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


# Pages rendered through Django (fronts, archive days, feeds, sitemaps) per task: each
# costs several times an article page, so they go first and in small chunks.
PAGES_CHUNK = 20


def bake_site(
    site, *, store: PageStore | None = None, paths=None, progress=None, processes: int = 1
) -> list:
    """Bake every page and fragment of the site; files no longer part of the site are
    removed. Returns the files written or removed. Article pages take the fast path
    (articles.py), every other page is rendered by Django; both are spread over
    ``processes`` forked processes."""
    from dateline.articles.selectors import site_sections

    store = store or _store()
    host = site.host
    written: set[str] = set()
    changed: list[Path] = []
    names = regions.fragment_names(site, site_sections(site))
    writes = {
        store.fragment_file(host, name): (html or "").encode()
        for name, html in regions.render_fragments(site, names).items()
    }
    writes[store.site_dir(host) / NOT_FOUND_FILE] = render_page(host, _NOT_FOUND_PROBE).body
    for file, data in writes.items():
        written.add(str(file))
        if write_if_changed(file, data):
            changed.append(file)
    paths = paths if paths is not None else site_paths(site)
    live = set(_live(site).values_list("path", flat=True))
    tasks = [
        ("pages", chunk) for chunk in _chunks([p for p in paths if p not in live], PAGES_CHUNK)
    ]
    tasks += [("articles", chunk) for chunk in _chunks([p for p in paths if p in live], CHUNK)]
    job = _SiteJob(store, host, ArticleBaker(site, store))
    baked = _Pages()
    for result in _run(job, tasks, processes):
        baked.add(result)
        if progress is not None:
            progress(result.count - len(result.slow))
    if baked.slow:  # articles that are not public after all (the fast path left them)
        baked.add(job.pages(baked.slow))
        if progress is not None:
            progress(len(baked.slow))
    written.update(baked.written)
    changed += [Path(file) for file in baked.changed]
    for content_type, headers in baked.headers.items():
        store.headers_set(host, content_type, headers)
    if baked.failures:
        store.replace(host, {})
        raise BakeError(
            f"{len(baked.failures)} pages of {host} failed (nothing removed): "
            + "; ".join(baked.failures[:5])
        )
    changed += _sweep(store, host, written)
    store.replace(host, {})  # a new generation: every process reloads what it holds
    return changed


def _sweep(store: PageStore, host: str, written: set[str]) -> list[Path]:
    """Remove the site's files that the bake did not write: what the site no longer has
    (a deleted story, a removed section)."""
    removed = []
    site_dir = str(store.site_dir(host))
    for folder, folders, files in os.walk(site_dir):
        if folder == site_dir:
            folders[:] = [name for name in folders if name != META]
        for name in files:
            file = os.path.join(folder, name)
            if file not in written:
                os.unlink(file)
                removed.append(Path(file))
    return removed


def _chunks(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]


@dataclass
class _Pages:
    """What a task baked: files written and changed, article paths left to the ordinary
    path, pages that failed, and the stored headers by content type."""

    count: int = 0
    written: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    headers: dict[str, list[list[str]]] = field(default_factory=dict)

    def add(self, other: "_Pages") -> None:
        self.count += other.count
        self.written += other.written
        self.changed += other.changed
        self.slow += other.slow
        self.failures += other.failures
        self.headers.update(other.headers)  # in path order: the last page's, as before


@dataclass
class _SiteJob:
    """What every process baking a site holds (forked processes inherit a copy)."""

    store: PageStore
    host: str
    articles: ArticleBaker

    def run(self, task: tuple[str, list[str]]) -> _Pages:
        kind, paths = task
        if kind == "articles":
            baked = self.articles.bake(paths)
            return _Pages(len(paths), baked.written, baked.changed, baked.slow)
        return self.pages(paths)

    def pages(self, paths: list[str]) -> _Pages:
        """Render ``paths`` through Django and write them."""
        result = _Pages(count=len(paths))
        for path in paths:
            rendered = render_page(self.host, path)
            try:
                writes, _removes = _page_writes(self.store, self.host, path, rendered)
            except BakeError as error:
                result.failures.append(str(error))
                continue
            for file, data in writes.items():
                result.written.append(str(file))
                if write_if_changed(file, data):
                    result.changed.append(str(file))
            if rendered.status == 200:
                result.headers[rendered.content_type] = rendered.headers
        return result


_job: _SiteJob | None = None  # the job of a forked process


def _run(job: _SiteJob, tasks, processes: int):
    """The result of each task, in order, from ``processes`` forked processes (or this one)."""
    if processes <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield job.run(task)
        return
    # Forked processes inherit the job; each opens its own database connection.
    _close_connections()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_start_forked, initargs=(job,)) as pool:
        yield from pool.imap(_run_forked, tasks)


def _start_forked(job: _SiteJob) -> None:
    global _job
    connections.close_all()
    _job = job


def _close_connections() -> None:
    """Close every database connection, and PostgreSQL's pool with its own: a forked
    process must share no socket with its parent (each opens its own afterwards)."""
    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.settings_dict.get("OPTIONS", {}).get("pool"):
            connection.close_pool()


def _run_forked(task):
    return _job.run(task)


def _store() -> PageStore:
    if not getattr(settings, "DATELINE_PAGE_DIR", ""):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Baking needs DATELINE_PAGE_DIR: the folder to bake into.")
    return PageStore(settings.DATELINE_PAGE_DIR)
