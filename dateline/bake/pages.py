"""Which pages and fragments show what: the exact set a change touches, and every page
of a site (for a full bake)."""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC

from django.db.models import Q


@dataclass
class Targets:
    """Pages (URL paths) and fragments (names) per site host."""

    pages: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fragments: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    sites: set[str] = field(default_factory=set)  # every page and fragment of these

    def update(self, other: "Targets") -> "Targets":
        for host, paths in other.pages.items():
            self.pages[host] |= paths
        for host, names in other.fragments.items():
            self.fragments[host] |= names
        self.sites |= other.sites
        return self

    def __bool__(self) -> bool:
        return bool(self.sites or any(self.pages.values()) or any(self.fragments.values()))

    def as_json(self) -> dict:
        return {
            "pages": {host: sorted(paths) for host, paths in self.pages.items() if paths},
            "fragments": {host: sorted(names) for host, names in self.fragments.items() if names},
            "sites": sorted(self.sites),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Targets":
        targets = cls()
        for host, paths in data.get("pages", {}).items():
            targets.pages[host] |= set(paths)
        for host, names in data.get("fragments", {}).items():
            targets.fragments[host] |= set(names)
        targets.sites |= set(data.get("sites", []))
        return targets


def story_targets(story_id: int) -> Targets:
    """Every page and fragment that shows the story, or would show it: its article
    pages, the next story's page in each section (which links to it as the previous
    one), the home pages, section fronts, archive pages, headline blocks, feeds and
    sitemaps of each site it is placed on, and the network feeds on every site.
    Called before a change and again after it, so old and new places are both covered."""
    from dateline.articles.models import Placement
    from dateline.network.models import Site

    targets = Targets()
    placements = list(Placement.objects.filter(story_id=story_id).select_related("site", "section"))
    networks = set()
    for placement in placements:
        site, section = placement.site, placement.section
        networks.add(site.network_id)
        pages = targets.pages[site.host]
        pages |= {"/", f"/{section.slug}/", "/archive/", "/sitemap.xml", "/sitemap-news.xml"}
        pages |= {"/feeds/rss/", "/feeds/atom/"}
        pages |= {f"/feeds/{section.slug}/rss/", f"/feeds/{section.slug}/atom/"}
        if placement.path:
            pages.add(placement.path)
        if placement.published_at:
            local = placement.published_at.astimezone(zoneinfo.ZoneInfo(site.time_zone))
            pages.add(f"/archive/{local:%Y/%m}/")
            pages.add(f"/archive/{local:%Y/%m/%d}/")
            pages.add(f"/sitemap-{placement.published_at.astimezone(UTC):%Y-%m}.xml")
            following = (
                Placement.objects.filter(section_id=section.id, is_live=True)
                .filter(
                    Q(published_at__gt=placement.published_at)
                    | Q(published_at=placement.published_at, id__gt=placement.id)
                )
                .exclude(story_id=story_id)
                .order_by("published_at", "id")
                .values_list("path", flat=True)
                .first()
            )
            if following:
                pages.add(following)
        targets.fragments[site.host].add(f"headlines/{section.slug}.html")
    for host in Site.objects.filter(network_id__in=networks).values_list("host", flat=True):
        targets.pages[host] |= {"/feeds/network/rss/", "/feeds/network/atom/"}
    return targets


def front_targets(site, section=None) -> Targets:
    """The front a pin changes: the section's, or the site's home page."""
    targets = Targets()
    targets.pages[site.host].add(f"/{section.slug}/" if section is not None else "/")
    return targets


def site_targets(*hosts: str) -> Targets:
    """Everything of these sites (a change every page shows: sections, the network)."""
    return Targets(sites=set(hosts))
