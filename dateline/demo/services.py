"""Build the demo network: its sites, sections, agencies, the hand-written stories
of ``data/stories.json`` and as many generated ones as asked for."""

import json
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from dateline.articles import fragments
from dateline.articles.html import paragraphs_to_html, teaser_from_body
from dateline.articles.models import Fragment, Placement, Story
from dateline.articles.paths import article_path, slug_from_headline
from dateline.network.models import Agency, Network, RelatedLink, Section, Site

from . import network as spec
from .generator import generate_stories

STORIES_FILE = Path(__file__).with_name("data") / "stories.json"

RELATED_LINKS = {
    "spacedaily": [("European Space Agency", "https://www.esa.int/")],
    "spacewar": [("NATO newsroom", "https://www.nato.int/cps/en/natohq/news.htm")],
    "terradaily": [("USGS earthquake hazards", "https://earthquake.usgs.gov/")],
    "energydaily": [("International Energy Agency", "https://www.iea.org/")],
}

# A few generated stories run on a second site too (one story, several placements).
CROSS_POSTS = {
    ("spacewar", "military-satellites"): ("spacedaily", "satellites"),
    ("terradaily", "climate"): ("energydaily", "grid"),
}


@transaction.atomic
def demo_network_create() -> Network:
    """The demo network, its sites, sections and agencies; returns the existing one
    when it is already there."""
    network = Network.objects.filter(name=spec.NETWORK["name"]).first()
    if network is None:
        network = Network.objects.create(**spec.NETWORK)
    for code, name, holder, kind in spec.AGENCIES:
        Agency.objects.get_or_create(
            code=code, defaults={"name": name, "copyright_holder": holder, "kind": kind}
        )
    for order, (slug, name, host, tagline, sections) in enumerate(spec.SITES):
        site, _ = Site.objects.get_or_create(
            slug=slug,
            defaults={
                "network": network,
                "name": name,
                "host": host,
                "tagline": tagline,
                "order": order,
            },
        )
        for section_order, (section_slug, section_name) in enumerate(sections):
            section, created = Section.objects.get_or_create(
                site=site,
                slug=section_slug,
                defaults={"name": section_name, "order": section_order},
            )
            if created:
                for link_order, (title, url) in enumerate(RELATED_LINKS.get(slug, [])):
                    RelatedLink.objects.create(
                        section=section, title=title, url=url, order=link_order
                    )
    _demo_sources()
    return network


def _demo_sources():
    """One wire source per agency, so that the demo's pool can be fed: files dropped
    in var/inbox/<slug>/ (AFP, UPI, IANS) or `dateline ingest --source <slug>`."""
    from dateline.wire.models import Source

    for code, name, _holder, kind in spec.AGENCIES:
        if kind == "staff":
            continue
        Source.objects.get_or_create(
            slug=code.lower(),
            defaults={
                "name": f"{name} wire",
                "agency": Agency.objects.get(code=code),
                "delivery_method": Source.Method.INBOX if kind == "wire" else Source.Method.MANUAL,
                "rights_full_text_feeds": kind != "wire",
                "rights_full_text_api": kind != "wire",
            },
        )


class _PathBook:
    """Article paths already taken on each site, so bulk loads stay unique."""

    def __init__(self):
        self.taken = {}

    def claim(self, site: Site, section_slug: str, headline: str, published_at) -> tuple[str, str]:
        taken = self.taken.get(site.id)
        if taken is None:
            taken = self.taken[site.id] = set(
                Placement.objects.filter(site=site).values_list("path", flat=True)
            )
        base = slug_from_headline(headline)
        slug, n = base, 1
        while True:
            path = article_path(
                section_slug=section_slug,
                slug=slug,
                published_at=published_at,
                time_zone=site.time_zone,
            )
            if path not in taken:
                taken.add(path)
                return slug, path
            n += 1
            slug = f"{base}-{n}"


def _bulk_insert(rows, sections, agencies, book):
    """Insert published stories and their placements; ``rows`` are tuples of
    (site slug, section slug, story fields, published_at)."""
    stories = Story.objects.bulk_create([story for _, _, story in rows], batch_size=500)
    placements = []
    for (site_slug, section_slug, _), story in zip(rows, stories, strict=True):
        targets = [(site_slug, section_slug)]
        cross = CROSS_POSTS.get((site_slug, section_slug))
        if cross and story.id % 7 == 0:
            targets.append(cross)
        for index, (t_site, t_section) in enumerate(targets):
            section = sections[(t_site, t_section)]
            slug, path = book.claim(section.site, t_section, story.headline, story.published_at)
            placements.append(
                Placement(
                    story=story,
                    site=section.site,
                    section=section,
                    slug=slug,
                    path=path,
                    is_canonical=index == 0,
                    published_at=story.published_at,
                    is_live=True,
                )
            )
    Placement.objects.bulk_create(placements, batch_size=500)


def _sections_by_key():
    return {
        (section.site.slug, section.slug): section
        for section in Section.objects.select_related("site")
    }


def demo_stories_load(*, now=None) -> int:
    """The hand-written demo stories, dated relative to ``now``; skips those
    already loaded (by headline). Returns how many were added."""
    now = now or timezone.now()
    entries = json.loads(STORIES_FILE.read_text(encoding="utf-8"))
    existing = set(
        Story.objects.values_list("headline", flat=True).filter(
            headline__in=[entry["headline"] for entry in entries]
        )
    )
    sections = _sections_by_key()
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    rows = []
    for entry in entries:
        if entry["headline"] in existing:
            continue
        body = paragraphs_to_html(entry["paragraphs"])
        story = Story(
            headline=entry["headline"],
            byline=entry["byline"],
            dateline_place=entry["place"],
            agency=agencies[entry["agency"]],
            status=Story.Status.PUBLISHED,
            published_at=now - timedelta(hours=entry["hours_ago"], minutes=entry["hours_ago"] % 53),
            first_published_at=now
            - timedelta(hours=entry["hours_ago"], minutes=entry["hours_ago"] % 53),
            body=body,
            signoff=entry.get("signoff", ""),
            teaser=entry.get("teaser") or teaser_from_body(body),
        )
        rows.append((entry["site"], entry["section"], story))
    with transaction.atomic():
        _bulk_insert(rows, sections, agencies, _PathBook())
        fragments_reset()
    return len(rows)


def demo_stories_generate(count: int, *, seed: int = 1, start, end, progress=None) -> int:
    """``count`` generated stories published between ``start`` and ``end``,
    inserted in batches. ``progress`` is called with each batch's size."""
    sections = _sections_by_key()
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    book = _PathBook()
    batch = []

    def flush():
        with transaction.atomic():
            _bulk_insert(batch, sections, agencies, book)
        if progress:
            progress(len(batch))
        batch.clear()

    for generated in generate_stories(count, seed=seed, start=start, end=end):
        body = paragraphs_to_html(generated.paragraphs)
        story = Story(
            headline=generated.headline,
            byline=generated.byline,
            dateline_place=generated.place,
            agency=agencies[generated.agency],
            status=Story.Status.PUBLISHED,
            published_at=generated.published_at,
            first_published_at=generated.published_at,
            body=body,
            signoff=generated.signoff,
            teaser=generated.teaser,
        )
        batch.append((generated.site, generated.section, story))
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()
    fragments_reset()
    return count


def fragments_reset():
    """After a bulk load every shared region is out of date, and the search index too."""
    from dateline.search.services import search_reindex_all

    fragments.fragments_invalidate(Fragment.objects.values_list("key", flat=True))
    if connection.vendor == "postgresql":
        # PostgreSQL re-analyzes only in the background: until then the planner takes
        # a site for ~60 placements and sorts every story for the network feed (6.7 s
        # at 500,000 stories instead of 3 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_placement")
            cursor.execute("ANALYZE articles_story")
    search_reindex_all()
    # And every stored page (the page cache, dateline/bake/).
    from dateline.bake.pages import site_targets
    from dateline.bake.services import pages_purge
    from dateline.network.models import Site

    pages_purge(site_targets(*Site.objects.values_list("host", flat=True)))


def demo_wire_pool(count: int = 80) -> int:
    """Deliver ``count`` generated agency stories (ninjs 2.0, through the real ingest)
    to the desk's pool, so the demo desk has a queue. Once: 0 when the pool has items."""
    from dateline.desk.models import DeskEntry
    from dateline.wire.models import Source
    from dateline.wire.services import deliveries_ingest

    from .generator import generate_stories

    if DeskEntry.objects.exists():
        return 0
    sources = {s.agency.code: s for s in Source.objects.select_related("agency")}
    now = timezone.now()
    batches: dict = {}
    stories = generate_stories(count, seed=4242, start=now - timedelta(hours=6), end=now)
    for n, story in enumerate(stories):
        source = sources.get(story.agency) or sources["AFP"]
        paragraphs = [p for p in story.paragraphs if not p.startswith("## ")]
        document = {
            "uri": f"urn:demo.{source.slug}:{story.published_at:%Y%m%d}:{n}",
            "type": "text",
            "version": "1",
            "versioncreated": story.published_at.isoformat(),
            "pubstatus": "usable",
            "urgency": 1 + n % 6,
            "language": "en",
            "headlines": [{"role": "main", "value": story.headline}],
            "by": story.byline,
            "located": story.place,
            "bodies": [
                {"role": "main", "contenttype": "text/plain", "value": "\n\n".join(paragraphs)}
            ],
        }
        batches.setdefault(source, []).append(
            (f"demo/{source.slug}/{n:04d}.json", json.dumps(document).encode())
        )
    for source, deliveries in batches.items():
        deliveries_ingest(source=source, deliveries=deliveries)
    return count
