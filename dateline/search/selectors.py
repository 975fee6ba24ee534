"""Search one site: relevance-ranked results with highlighted snippets, filters
by section, source and date range. SQLite FTS5 (bm25) by default, PostgreSQL full
text (ts_rank over a GIN index) on the scale path; the query syntax (query.py)
gives the same matches on both, ranking may differ in detail."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dateline.articles.selectors import _aware

from .query import Query, fts5_expression, tsquery_expression

START, STOP = "\u27e6", "\u27e7"  # ⟦ ⟧ around matches, before escaping


@dataclass(frozen=True, slots=True)
class Hit:
    placement_id: int
    path: str
    headline: str
    published_at: datetime
    section_name: str
    place: str
    agency_code: str
    snippet: str  # safe HTML with <mark>


def _snippet(raw: str) -> str:
    text = escape(raw or "").replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(text)  # noqa: S308 - escaped above, only our <mark> tags added


def search(site, query: Query, *, section_id=None, source_id=None, since=None, until=None,
           limit: int = 20, offset: int = 0) -> tuple[list[Hit], bool]:  # fmt: skip
    """(hits, more) for ``query`` on ``site``."""
    if query.empty:
        return [], False
    filters, params = ["d.site_id = %s"], [site.id]
    if section_id is not None:
        filters.append("d.section_id = %s")
        params.append(section_id)
    if source_id is not None:
        filters.append("d.source_id = %s")
        params.append(source_id)
    adapt = connection.ops.adapt_datetimefield_value
    if since is not None:
        filters.append("d.published_at >= %s")
        params.append(adapt(since))
    if until is not None:
        filters.append("d.published_at < %s")
        params.append(adapt(until))
    where = " AND ".join(filters)
    tail = (
        " JOIN articles_placement p ON p.id = d.placement_id"
        " JOIN articles_story st ON st.id = p.story_id"
        " JOIN network_section s ON s.id = p.section_id"
        " JOIN network_agency a ON a.id = st.agency_id"
    )
    columns = (
        "d.placement_id, p.path, d.headline, d.published_at, s.name, st.dateline_place, a.code"
    )
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT {columns}, ts_headline('simple', d.body_text, q,"
            f" 'StartSel={START}, StopSel={STOP}, MaxWords=35, MinWords=15, MaxFragments=2')"
            f" FROM search_searchdocument d{tail}, to_tsquery('simple', %s) q"
            " WHERE to_tsvector('simple'::regconfig, d.headline || ' ' || d.body_text) @@ q"
            f" AND {where}"
            " ORDER BY ts_rank(to_tsvector('simple'::regconfig, d.headline || ' ' || d.body_text), q) DESC,"
            " d.published_at DESC LIMIT %s OFFSET %s"
        )
        params = [tsquery_expression(query), *params]
    else:
        sql = (
            f"SELECT {columns}, snippet(search_fts, -1, '{START}', '{STOP}', ' … ', 30)"
            " FROM search_fts JOIN search_searchdocument d ON d.placement_id = search_fts.rowid"
            f"{tail} WHERE search_fts MATCH %s AND {where}"
            " ORDER BY bm25(search_fts, 5.0, 1.0), d.published_at DESC LIMIT %s OFFSET %s"
        )
        params = [fts5_expression(query), *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1, offset])
        rows = cursor.fetchall()
    hits = [
        Hit(row[0], row[1], row[2], _aware(row[3]), row[4], row[5], row[6], _snippet(row[7]))
        for row in rows[:limit]
    ]
    return hits, len(rows) > limit
