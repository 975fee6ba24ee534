"""The baker's fast path for article pages: the bulk of any site.

A full bake through Django's handler costs an article page a request's whole middleware
stack and six queries. Here the same selectors are read a chunk of articles at a time
(stories, previous-in-section for the whole site, canonical locations, comment threads),
the context is built by the view's own ``article_context`` and the same template renders
it, so the bytes are the view's (tests/bake/test_bake.py compares them). Chunks can be
spread over several processes: rendering is CPU-bound and each process has one core.

Anything unusual (a story not public, a withdrawn one, a placement whose time differs
from its story's) is handed back for the ordinary path (``baking.render_page``).
"""

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.http import HttpRequest
from django.template.loader import get_template

from .store import PageStore, write_if_changed

CHUNK = 1000


@dataclass
class Baked:
    written: set[Path] = field(default_factory=set)
    changed: list[Path] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)  # paths for the ordinary path


def bake_articles(
    site, paths: list[str], *, store: PageStore, processes: int = 1, progress=None
) -> Baked:
    """Render and write the article pages at ``paths``; returns what was written and the
    paths left to the ordinary path."""
    from dateline.articles import selectors

    job = _Job(site, store, selectors.site_sections(site), selectors.previous_placements(site))
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    baked = Baked()
    if processes > 1 and len(chunks) > 1:
        # Forked workers inherit the job; each opens its own database connection.
        connections.close_all()
        global _forked_job
        _forked_job = job
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=connections.close_all) as pool:
            results = pool.imap_unordered(_bake_forked, chunks)
            for count, changed, slow in results:
                _collect(baked, changed, slow, count, progress)
        _forked_job = None
    else:
        for chunk in chunks:
            changed, slow = job.bake(chunk)
            _collect(baked, changed, slow, len(chunk), progress)
    return baked


def _collect(baked, changed, slow, count, progress):
    baked.changed += [Path(file) for file in changed]
    baked.slow += slow
    if progress is not None:
        progress(count - len(slow))


_forked_job = None


def _bake_forked(chunk):
    return len(chunk), *_forked_job.bake(chunk)


class _Job:
    def __init__(self, site, store, sections, previous):
        self.site, self.store, self.sections = site, store, sections
        self.previous = previous  # placement id -> (published_at, previous placement id)
        self.related = {}
        # The regions that are the same on many pages ({% shared %}, dateline/jinja2env.py),
        # rendered once per process.
        self.shared_regions = {}

    def bake(self, paths: list[str]) -> tuple[list[str], list[str]]:
        """(files changed, paths for the ordinary path) of one chunk."""
        from dateline.articles import selectors
        from dateline.articles.views import article_context
        from dateline.comments.regions import threads_prefill

        site = self.site
        articles = selectors.articles_at(site, paths)
        public = [a for a in (articles.get(path) for path in paths) if a and a.is_public]
        found = {a.path for a in public}
        slow = [path for path in paths if path not in found]
        before = {}
        for article in public:
            published_at, previous_id = self.previous.get(article.placement_id, (None, None))
            # The site-wide ordering is the selector's only where the placement's time is
            # the story's (previous_in_section orders by the story's).
            before[article.placement_id] = (
                previous_id if published_at == article.published_at else -1
            )
        listings = selectors.listings_by_id(i for i in before.values() if i and i > 0)
        canonical = selectors.canonical_locations(a.story_id for a in public if not a.is_canonical)
        request = _request(site)
        threads_prefill(request, site, public)
        template = get_template("articles/article.html")
        changed = []
        for article in public:
            previous_id = before[article.placement_id]
            if previous_id == -1:
                previous = selectors.previous_in_section(article)
            else:
                previous = listings.get(previous_id)
            if article.section.id not in self.related:
                self.related[article.section.id] = selectors.related_links(article.section)
            context = article_context(
                site,
                article,
                sections=self.sections,
                canonical=(
                    (site.host, article.path)
                    if article.is_canonical
                    else canonical.get(article.story_id, (site.host, article.path))
                ),
                previous=previous,
                related_links=self.related[article.section.id],
            )
            context["shared_regions"] = self.shared_regions
            body = template.render(context, request).encode()
            file = self.store.page_file(site.host, article.path, "text/html")
            if write_if_changed(file, body):
                changed.append(str(file))
        return changed, slow


def _request(site) -> HttpRequest:
    """The request the templates see: a GET of the site over HTTPS, as the baker's."""
    request = HttpRequest()
    request.method = "GET"
    request.META = {"HTTP_HOST": site.host, "SERVER_NAME": site.host, "SERVER_PORT": "443"}
    request.META["HTTP_X_FORWARDED_PROTO"] = "https"
    request.site = site
    return request
