"""RSS 2.0 and Atom 1.0 for each site, each section and the whole network, on
Django's syndication framework. Full text where the story's source allows it in
feeds (the network's own stories always), the teaser otherwise."""

from datetime import UTC, datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from dateline.articles import selectors as page_selectors
from dateline.network.models import public_base_url

from . import selectors


class _StableDate:
    """An empty feed keeps one date (Django's says "now"), so that a feed with no
    stories is the same bytes on every render (the page cache and the bake rewrite
    only what changed)."""

    def latest_post_date(self):
        if not self.items:
            return datetime(2000, 1, 1, tzinfo=UTC)
        return super().latest_post_date()


class StableAtom1Feed(_StableDate, Atom1Feed):
    pass


class StableRss201rev2Feed(_StableDate, Rss201rev2Feed):
    pass


class SiteFeed(Feed):
    """The latest stories of the site the request is for (``/feeds/rss/``)."""

    feed_type = StableRss201rev2Feed
    kind = "rss"

    def get_object(self, request, section_slug=None):
        site = getattr(request, "site", None)
        if site is None:
            raise Http404("No site at this host")
        section = None
        if section_slug is not None:
            section = next(
                (s for s in page_selectors.site_sections(site) if s.slug == section_slug), None
            )
            if section is None:
                raise Http404("No such section")
        self.request_scheme = request.scheme
        return {"site": site, "section": section}

    # Feed-level hooks ---------------------------------------------------------------

    def title(self, obj):
        site, section = obj["site"], obj["section"]
        return f"{site.name}: {section.name}" if section else site.name

    def description(self, obj):
        return obj["site"].tagline.strip(" .") or f"News from {obj['site'].name}"

    subtitle = description  # Atom's name for it

    def link(self, obj):
        site, section = obj["site"], obj["section"]
        return site.base_url + (f"/{section.slug}/" if section else "/")

    def feed_url(self, obj):
        section = obj["section"]
        middle = f"{section.slug}/" if section else ""
        return f"{obj['site'].base_url}/feeds/{middle}{self.kind}/"

    def feed_copyright(self, obj):
        return obj["site"].network.name

    def items(self, obj):
        if obj["section"] is not None:
            return selectors.section_entries(obj["section"])
        return selectors.site_entries(obj["site"])

    # Item-level hooks ---------------------------------------------------------------

    def item_title(self, entry):
        return entry.headline

    def item_link(self, entry):
        return public_base_url(entry.host) + entry.path

    def item_guid(self, entry):
        # Stable whatever happens to the URL: the story, not the placement's path.
        return f"urn:dateline:story:{entry.story_id}"

    item_guid_is_permalink = False

    def item_description(self, entry):
        dateline = f"{entry.place} ({entry.agency_code})".strip()
        if entry.full_text_allowed:
            return f"<p><em>{escape(dateline)}</em></p>\n{entry.body}"
        return f"<p><em>{escape(dateline)}</em> {escape(entry.teaser)}</p>"

    def item_pubdate(self, entry):
        return entry.published_at

    def item_updateddate(self, entry):
        return entry.updated_at or entry.published_at

    def item_author_name(self, entry):
        return entry.byline or entry.agency_name

    def item_categories(self, entry):
        return [entry.section_name, entry.agency_code]


class SiteAtomFeed(SiteFeed):
    feed_type = StableAtom1Feed
    kind = "atom"


class NetworkFeed(SiteFeed):
    """Every site's stories (each once, at its canonical URL): ``/feeds/network/rss/``."""

    def get_object(self, request):
        obj = super().get_object(request)
        obj["network"] = obj["site"].network
        return obj

    def title(self, obj):
        return obj["network"].name

    def description(self, obj):
        return f"The latest news from every site of {obj['network'].name}"

    subtitle = description

    def feed_url(self, obj):
        return f"{obj['site'].base_url}/feeds/network/{self.kind}/"

    def items(self, obj):
        return selectors.network_entries(obj["network"])


class NetworkAtomFeed(NetworkFeed):
    feed_type = StableAtom1Feed
    kind = "atom"
