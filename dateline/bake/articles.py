"""The baker's fast path for article pages: the bulk of any site.

A full bake through Django's handler costs an article page a request's whole middleware
stack and six queries. Here the same selectors are read a chunk of articles at a time
(stories, previous-in-section for the whole site, canonical locations, comment threads),
the context is built by the view's own ``article_context`` and the same template renders
it, so the bytes are the view's (tests/bake/test_bake.py compares them). The regions
that many pages share are rendered once per process (``{% shared %}`` in the templates).
``baking.bake_site`` spreads the chunks over several processes: rendering is CPU-bound.

A story that is not public (a withdrawn one, say) is handed back for the ordinary path
(``baking.render_page``); a placement whose time differs from its story's reads its
previous story on its own.
"""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.template.loader import get_template

from .store import PageStore, write_if_changed

CHUNK = 500  # articles read and rendered at once


@dataclass
class Baked:
    written: list[str] = field(default_factory=list)  # the files of the pages baked
    changed: list[str] = field(default_factory=list)  # those whose bytes changed
    slow: list[str] = field(default_factory=list)  # paths for the ordinary path


def bake_articles(site, paths: list[str], *, store: PageStore) -> Baked:
    """Render and write the article pages at ``paths`` in this process; returns what was
    written and the paths left to the ordinary path."""
    return ArticleBaker(site, store).bake(paths)


class ArticleBaker:
    """Bakes a site's article pages a chunk at a time (``bake_site`` gives chunks to
    several processes: each forked one has a copy of this object, with its own regions)."""

    def __init__(self, site, store: PageStore):
        from dateline.articles import selectors

        self.site, self.store = site, store
        self.sections = selectors.site_sections(site)
        # placement id -> (published_at, previous placement id), the whole site at once
        self.previous = selectors.previous_placements(site)
        self.related = {}
        # The regions that are the same on many pages ({% shared %}, dateline/jinja2env.py),
        # rendered once per process.
        self.shared_regions = {}

    def bake(self, paths: list[str]) -> Baked:
        from dateline.articles import selectors
        from dateline.articles.views import article_context
        from dateline.comments.regions import threads_prefill

        site = self.site
        articles = selectors.articles_at(site, paths)
        public = [a for a in (articles.get(path) for path in paths) if a and a.is_public]
        found = {a.path for a in public}
        baked = Baked(slow=[path for path in paths if path not in found])
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
            file = str(self.store.page_file(site.host, article.path, "text/html"))
            baked.written.append(file)
            if write_if_changed(file, body):
                baked.changed.append(file)
        return baked


def _request(site) -> HttpRequest:
    """The request the templates see: a GET of the site over HTTPS, as the baker's."""
    request = HttpRequest()
    request.method = "GET"
    request.META = {"HTTP_HOST": site.host, "SERVER_NAME": site.host, "SERVER_PORT": "443"}
    request.META["HTTP_X_FORWARDED_PROTO"] = "https"
    request.site = site
    return request
