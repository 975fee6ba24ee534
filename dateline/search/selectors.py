"""Search one site: relevance-ranked results with highlighted snippets, filters
by section, source and date range. SQLite FTS5 (bm25) by default, PostgreSQL full
text (ts_rank over a GIN index) on the scale path; the query syntax (query.py)
gives the same matches on both, ranking may differ in detail."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dateline.sql import aware

from .query import Query, fts5_expression, tsquery_expression

RECENT_WINDOW = 200  # matches ranked per query: the newest ones
_WORD_CHARS = re.compile(r"[^\W_]+")


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


def _snippet_of(text: str, query: Query, *, words: int = 36) -> str:
    """About ``words`` words of ``text`` around the first match, matches in <mark>;
    the same on both engines. Everything from the story is escaped."""
    wanted = {word for phrase in query.required for word in phrase}
    tokens = text.split()
    lowered = ["".join(_WORD_CHARS.findall(token.lower())) for token in tokens]
    first = next((i for i, token in enumerate(lowered) if token in wanted), 0)
    begin = max(0, first - words // 3)
    parts = []
    for token, plain in zip(
        tokens[begin : begin + words], lowered[begin : begin + words], strict=True
    ):
        parts.append(f"<mark>{escape(token)}</mark>" if plain in wanted else escape(token))
    snippet = " ".join(parts)
    if begin > 0:
        snippet = "… " + snippet
    if begin + words < len(tokens):
        snippet += " …"
    return mark_safe(snippet)  # noqa: S308 - every token escaped above


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
    # Top-k over recent matches: the newest RECENT_WINDOW matches of the site are
    # ranked by relevance. Ranking every match of a common word is what makes naive
    # full-text search slow on a large archive; news readers want recent stories.
    if connection.vendor == "postgresql":
        vector = "d.search_vector"  # stored, GIN-indexed (search migration 0003)
        recent = (
            f"SELECT d.placement_id AS id, ts_rank({vector}, q) AS rank"
            f" FROM search_searchdocument d, to_tsquery('simple', %s) q WHERE {vector} @@ q"
            f" AND {where} ORDER BY d.published_at DESC LIMIT {RECENT_WINDOW}"
        )
        params = [tsquery_expression(query), *params]
        order = "r.rank DESC"
    else:
        recent = (
            "SELECT search_fts.rowid AS id, bm25(search_fts, 5.0, 1.0, 0.0) AS rank FROM search_fts"
            " JOIN search_searchdocument d ON d.placement_id = search_fts.rowid"
            f" WHERE search_fts MATCH %s AND {where}"
            f" ORDER BY search_fts.rowid DESC LIMIT {RECENT_WINDOW}"
        )
        params = [fts5_expression(query, site_id=site.id), *params]
        order = "r.rank"  # bm25: lower is better
    sql = (
        f"SELECT {columns}, d.body_text FROM ({recent}) r"
        f" JOIN search_searchdocument d ON d.placement_id = r.id{tail}"
        f" ORDER BY {order}, d.published_at DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1, offset])
        rows = cursor.fetchall()
    hits = [
        Hit(
            row[0],
            row[1],
            row[2],
            aware(row[3]),
            row[4],
            row[5],
            row[6],
            _snippet_of(row[7], query),
        )
        for row in rows[:limit]
    ]
    return hits, len(rows) > limit
