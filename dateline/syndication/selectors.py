"""Queries of the feeds and sitemaps (plain SQL, like the pages' selectors)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from dateline.sql import aware, fetch_rows


@dataclass(frozen=True, slots=True)
class Entry:
    placement_id: int
    story_id: int
    path: str
    host: str
    published_at: datetime
    updated_at: datetime | None
    headline: str
    byline: str
    place: str
    agency_code: str
    agency_name: str
    body: str
    teaser: str
    section_name: str
    full_text_allowed: bool
    section_slug: str = ""
    source_slug: str = ""
    full_text_api: bool = False


_ENTRY_SQL = """
    SELECT p.id, st.id, p.path, site.host, p.published_at, st.updated_at, st.headline,
           st.byline, st.dateline_place, a.code, a.name, st.body, st.teaser, s.name,
           CASE WHEN st.source_id IS NULL THEN %s ELSE src.rights_full_text_feeds END,
           s.slug, COALESCE(src.slug, ''),
           CASE WHEN st.source_id IS NULL THEN %s ELSE src.rights_full_text_api END
    FROM articles_placement p
    JOIN articles_story st ON st.id = p.story_id
    JOIN network_agency a ON a.id = st.agency_id
    JOIN network_section s ON s.id = p.section_id
    JOIN network_site site ON site.id = p.site_id
    LEFT JOIN wire_source src ON src.id = st.source_id
    WHERE p.is_live = %s AND p.published_at <= %s AND {where}
    ORDER BY p.published_at DESC, p.id DESC LIMIT %s
"""


def feed_entries(*, where: str, params: list, limit: int) -> list[Entry]:
    rows = fetch_rows(
        _ENTRY_SQL.format(where=where), [True, True, True, timezone.now(), *params, limit]
    )
    return [
        Entry(
            *row[:4],
            aware(row[4]),
            aware(row[5]),
            *row[6:14],
            bool(row[14]),
            row[15],
            row[16],
            bool(row[17]),
        )  # fmt: skip
        for row in rows
    ]


def site_entries(site, *, limit=30):
    return feed_entries(where="p.site_id = %s", params=[site.id], limit=limit)


def section_entries(section, *, limit=30):
    return feed_entries(where="p.section_id = %s", params=[section.id], limit=limit)


def network_entries(network, *, limit=50):
    """The network's stories, each once (its canonical placement)."""
    return feed_entries(
        where="p.is_canonical = %s AND site.network_id = %s", params=[True, network.id], limit=limit
    )


def site_months(site) -> list[tuple[int, int]]:
    """(year, month) of every UTC month with stories on the site, newest first. One
    query that hops from month to month on the (site, is_live, published_at) index:
    one index probe per month with stories (a DISTINCT over all placements would
    read the whole archive, and a query per month cost a round trip each, 300 of
    them for 25 years)."""
    if connection.vendor == "postgresql":
        month_of = "date_trunc('month', {}, 'UTC')"
    else:  # stored as 'YYYY-MM-DD HH:MM:SS...' text, which sorts as time does
        month_of = "strftime('%Y-%m-01 00:00:00', {})"
    newest = month_of.format("max(published_at)")
    sql = (
        "WITH RECURSIVE months(start) AS ("  # noqa: S608 - our own expression, values are parameters
        f" SELECT {newest} FROM articles_placement"
        " WHERE site_id = %s AND is_live = %s AND published_at <= %s"
        f" UNION ALL SELECT (SELECT {newest} FROM articles_placement"
        " WHERE site_id = %s AND is_live = %s AND published_at < months.start)"
        " FROM months WHERE months.start IS NOT NULL"
        ") SELECT start FROM months WHERE start IS NOT NULL"
    )
    now = timezone.now()
    rows = fetch_rows(sql, [site.id, True, now, site.id, True])
    return [(start.year, start.month) for start in (aware(row[0]) for row in rows)]


def month_locations(site, year: int, month: int) -> list[tuple[str, datetime]]:
    """(path, last change) of the site's stories published in a UTC month."""
    start = datetime(year, month, 1, tzinfo=timezone.UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.UTC)
    rows = fetch_rows(
        "SELECT p.path, p.published_at, st.updated_at FROM articles_placement p"
        " JOIN articles_story st ON st.id = p.story_id"
        " WHERE p.site_id = %s AND p.is_live = %s AND p.published_at >= %s AND p.published_at < %s"
        " AND p.published_at <= %s ORDER BY p.published_at",
        [site.id, True, start, end, timezone.now()],
    )
    return [(path, max(filter(None, [aware(pub), aware(upd)]))) for path, pub, upd in rows]


def news_locations(site, *, hours=48) -> list[tuple[str, datetime, str]]:
    """(path, published, headline) of the site's stories of the last ``hours``."""
    now = timezone.now()
    rows = fetch_rows(
        "SELECT p.path, p.published_at, st.headline FROM articles_placement p"
        " JOIN articles_story st ON st.id = p.story_id"
        " WHERE p.site_id = %s AND p.is_live = %s AND p.published_at >= %s AND p.published_at <= %s"
        " ORDER BY p.published_at DESC LIMIT 1000",
        [site.id, True, now - timedelta(hours=hours), now],
    )
    return [(path, aware(published), headline) for path, published, headline in rows]
