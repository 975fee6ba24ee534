"""Queries behind the public pages.

Each page costs a small, fixed number of queries whatever the archive's size:
fronts read the placement indexes newest first and page by cursor, never by
offset. The queries of the hot pages (article, fronts, blocks) are plain SQL
returning small read-only records: on this hardware building an ORM query costs
~0.5 ms of Python, twenty times what SQLite takes to answer it, and an article
page needs six of them (see docs/benchmarks.md). The SQL is standard and runs
unchanged on SQLite and PostgreSQL; the tests run on both.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from dateline.network.models import Site
from dateline.sql import aware, fetch_rows

from .models import Story


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in a newest-first listing: the page shows what comes strictly after."""

    published_at: datetime
    placement_id: int

    def encode(self) -> str:
        return f"{self.published_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{self.placement_id}"

    @classmethod
    def decode(cls, token: str) -> "Cursor | None":
        """A cursor from a query string, or None when it is not one of ours."""
        stamp, _, ident = (token or "").partition("-")
        try:
            when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
            placement_id = int(ident)
        except ValueError:
            return None
        if not (0 < placement_id < 2**63 and 1900 <= when.year < 9000):
            return None  # not a cursor we could have made (and beyond SQLite's integers)
        return cls(when, placement_id)


@dataclass(frozen=True, slots=True)
class SectionRef:
    id: int
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class Listing:
    """A story as fronts, blocks and "previous story" show it."""

    id: int
    path: str
    published_at: datetime
    section: SectionRef
    headline: str
    teaser: str
    place: str
    agency_code: str


@dataclass(frozen=True, slots=True)
class Article:
    """One placement of a story with everything its page shows."""

    placement_id: int
    story_id: int
    path: str
    is_canonical: bool
    published_at: datetime | None
    section: SectionRef
    headline: str
    byline: str
    place: str
    agency_code: str
    status: str
    updated_at: datetime | None
    body: str
    signoff: str
    teaser: str
    withdrawn_notice: str

    @property
    def is_public(self) -> bool:
        return (
            self.status == Story.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )


@dataclass(frozen=True, slots=True)
class Page:
    items: list
    older: Cursor | None


_LISTING_SELECT = """
    SELECT p.id, p.path, p.published_at, s.id, s.name, s.slug,
           st.headline, st.teaser, st.dateline_place, a.code
    FROM articles_placement p
    JOIN articles_story st ON st.id = p.story_id
    JOIN network_agency a ON a.id = st.agency_id
    JOIN network_section s ON s.id = p.section_id
"""


def _listings(where: str, params: list, *, limit: int) -> list[Listing]:
    sql = (
        f"{_LISTING_SELECT} WHERE p.is_live = %s AND p.published_at <= %s AND {where}"
        " ORDER BY p.published_at DESC, p.id DESC LIMIT %s"
    )
    rows = fetch_rows(sql, [True, timezone.now(), *params, limit])
    return [
        Listing(
            id=row[0],
            path=row[1],
            published_at=aware(row[2]),
            section=SectionRef(row[3], row[4], row[5]),
            headline=row[6],
            teaser=row[7],
            place=row[8],
            agency_code=row[9],
        )
        for row in rows
    ]


def _page(where: str, params: list, *, before: Cursor | None, size: int) -> Page:
    if before is not None:
        where += " AND (p.published_at < %s OR (p.published_at = %s AND p.id < %s))"
        params = [*params, before.published_at, before.published_at, before.placement_id]
    items = _listings(where, params, limit=size + 1)
    older = None
    if len(items) > size:
        items = items[:size]
        older = Cursor(items[-1].published_at, items[-1].id)
    return Page(items, older)


def section_front(section, *, before: Cursor | None = None, size: int) -> Page:
    return _page("p.section_id = %s", [section.id], before=before, size=size)


# A story placed on two sections of one site is listed once on site-wide pages:
# under its first placement there.
_FIRST_ON_SITE = (
    " AND p.id = (SELECT MIN(p2.id) FROM articles_placement p2"
    " WHERE p2.story_id = p.story_id AND p2.site_id = p.site_id)"
)


def site_latest(site: Site, *, size: int, before: Cursor | None = None) -> Page:
    return _page("p.site_id = %s" + _FIRST_ON_SITE, [site.id], before=before, size=size)


def site_day(site: Site, *, start: datetime, before: Cursor | None = None, size: int) -> Page:
    """Stories of one local day on ``site`` (``start`` is local midnight, aware)."""
    where = "p.site_id = %s AND p.published_at >= %s AND p.published_at < %s" + _FIRST_ON_SITE
    return _page(where, [site.id, start, start + timedelta(days=1)], before=before, size=size)


def front_lead(site: Site, section=None) -> Listing | None:
    """The story the desk pinned as the lead of the home page (no section) or of a
    section front, while it runs there."""
    if section is None:
        where = (
            "p.site_id = %s AND p.story_id IN (SELECT story_id FROM articles_frontpin"  # noqa: S608
            " WHERE site_id = %s AND section_id IS NULL)" + _FIRST_ON_SITE
        )
        params = [site.id, site.id]
    else:
        where = (
            "p.section_id = %s AND p.story_id IN (SELECT story_id FROM articles_frontpin"
            " WHERE site_id = %s AND section_id = %s)"
        )
        params = [section.id, site.id, section.id]
    found = _listings(where, params, limit=1)
    return found[0] if found else None


def with_lead(page: Page, lead: Listing | None) -> Page:
    """``page`` with ``lead`` first and not twice (the page may grow by one: dropping
    its last item would hide that item from the next page too)."""
    if lead is None:
        return page
    return Page([lead, *(item for item in page.items if item.path != lead.path)], page.older)


def headline_block(section, *, size: int) -> list[Listing]:
    return _listings("p.section_id = %s", [section.id], limit=size)


def previous_in_section(article: Article) -> Listing | None:
    """The story published just before this one in the same section."""
    where = "p.section_id = %s AND (p.published_at < %s OR (p.published_at = %s AND p.id < %s))"
    when = article.published_at
    found = _listings(where, [article.section.id, when, when, article.placement_id], limit=1)
    return found[0] if found else None


def site_days_with_stories(site: Site, *, start: datetime, end: datetime) -> list[datetime]:
    """Publication times of the site's stories in [start, end), for an archive month."""
    rows = fetch_rows(
        "SELECT published_at FROM articles_placement WHERE site_id = %s AND is_live = %s"
        " AND published_at >= %s AND published_at < %s AND published_at <= %s",
        [site.id, True, start, end, timezone.now()],
    )
    return [aware(row[0]) for row in rows]


def site_first_published(site: Site) -> datetime | None:
    rows = fetch_rows(
        "SELECT published_at FROM articles_placement WHERE site_id = %s AND is_live = %s"
        " AND published_at <= %s ORDER BY published_at LIMIT 1",
        [site.id, True, timezone.now()],
    )
    return aware(rows[0][0]) if rows else None


def site_sections(site: Site) -> list[SectionRef]:
    rows = fetch_rows(
        'SELECT id, name, slug FROM network_section WHERE site_id = %s ORDER BY "order", name',
        [site.id],
    )
    return [SectionRef(*row) for row in rows]


_ARTICLE_SELECT = """
    SELECT p.id, p.story_id, p.path, p.is_canonical, st.published_at,
           s.id, s.name, s.slug,
           st.headline, st.byline, st.dateline_place, a.code, st.status,
           st.updated_at, st.body, st.signoff, st.teaser, st.withdrawn_notice
    FROM articles_placement p
    JOIN articles_story st ON st.id = p.story_id
    JOIN network_agency a ON a.id = st.agency_id
    JOIN network_section s ON s.id = p.section_id
"""


def _article(row) -> Article:
    return Article(
        placement_id=row[0],
        story_id=row[1],
        path=row[2],
        is_canonical=bool(row[3]),
        published_at=aware(row[4]),
        section=SectionRef(row[5], row[6], row[7]),
        headline=row[8],
        byline=row[9],
        place=row[10],
        agency_code=row[11],
        status=row[12],
        updated_at=aware(row[13]),
        body=row[14],
        signoff=row[15],
        teaser=row[16],
        withdrawn_notice=row[17],
    )


def article_at(site: Site, path: str) -> Article | None:
    """The placement at ``path`` with its story, whatever the story's status."""
    rows = fetch_rows(f"{_ARTICLE_SELECT} WHERE p.site_id = %s AND p.path = %s", [site.id, path])
    return _article(rows[0]) if rows else None


def articles_at(site: Site, paths: list[str]) -> dict[str, Article]:
    """``article_at`` for many paths in one query (the baker reads thousands at once)."""
    if not paths:
        return {}
    placeholders = ", ".join(["%s"] * len(paths))
    rows = fetch_rows(
        f"{_ARTICLE_SELECT} WHERE p.site_id = %s AND p.path IN ({placeholders})",
        [site.id, *paths],
    )
    return {row[2]: _article(row) for row in rows}


def redirect_target(site: Site, path: str) -> str | None:
    rows = fetch_rows(
        "SELECT p.path FROM articles_pathredirect r"
        " JOIN articles_placement p ON p.id = r.placement_id"
        " WHERE r.site_id = %s AND r.old_path = %s",
        [site.id, path],
    )
    return rows[0][0] if rows else None


def canonical_location(site: Site, article: Article) -> tuple[str, str]:
    """(host, path) of the story's canonical placement: its own when it is canonical,
    otherwise the one on another section or site of the network."""
    if article.is_canonical:
        return site.host, article.path
    rows = fetch_rows(
        "SELECT s.host, p.path FROM articles_placement p JOIN network_site s ON s.id = p.site_id"
        " WHERE p.story_id = %s AND p.is_canonical = %s",
        [article.story_id, True],
    )
    return rows[0] if rows else (site.host, article.path)


def previous_placements(site: Site) -> dict[int, tuple[datetime, int | None]]:
    """For every live placement of the site: its publication time and the placement
    before it in its section (``previous_in_section`` for the whole site, in one query:
    the baker's)."""
    rows = fetch_rows(
        "SELECT id, published_at, LAG(id) OVER ("
        " PARTITION BY section_id ORDER BY published_at, id)"
        " FROM articles_placement WHERE site_id = %s AND is_live = %s AND published_at <= %s",
        [site.id, True, timezone.now()],
    )
    return {row[0]: (aware(row[1]), row[2]) for row in rows}


def listings_by_id(placement_ids) -> dict[int, Listing]:
    """Live placements as listings, by placement id."""
    placement_ids = list(placement_ids)
    if not placement_ids:
        return {}
    where = "p.id IN ({})".format(", ".join(["%s"] * len(placement_ids)))
    return {item.id: item for item in _listings(where, placement_ids, limit=len(placement_ids))}


def canonical_locations(story_ids) -> dict[int, tuple[str, str]]:
    """``canonical_location`` of many stories: (host, path) of each one's canonical placement."""
    story_ids = list(story_ids)
    if not story_ids:
        return {}
    placeholders = ", ".join(["%s"] * len(story_ids))
    sql = (
        "SELECT p.story_id, s.host, p.path FROM articles_placement p"  # noqa: S608 - placeholders only
        " JOIN network_site s ON s.id = p.site_id"
        f" WHERE p.is_canonical = %s AND p.story_id IN ({placeholders})"
    )
    rows = fetch_rows(sql, [True, *story_ids])
    found = {}
    for story_id, host, path in rows:
        found.setdefault(story_id, (host, path))
    return found


def related_links(section) -> list[tuple[str, str]]:
    """(title, url) of the section's curated links, in order."""
    return fetch_rows(
        'SELECT title, url FROM network_relatedlink WHERE section_id = %s ORDER BY "order", id',
        [section.id],
    )
