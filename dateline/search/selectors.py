"""Search one site: relevance-ranked results with highlighted snippets, filters
by section, source and date range. SQLite FTS5 by default, PostgreSQL full text
(ts_rank over a GIN index) on the scale path; the query syntax (query.py) gives
the same matches on both, ranking may differ in detail."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dateline.sql import aware

from .query import Query, fts5_expression, tsquery_expression, tsquery_words

_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # no story is older
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


def _plain(token: str) -> str:
    """A token as the query's words are written: lower case, letters and digits only."""
    lowered = token.lower()
    return lowered if lowered.isalnum() else "".join(_WORD_CHARS.findall(lowered))


_EDGES = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.S)


def _marked(token: str) -> str:
    """The token with its word in <mark>, the punctuation around it left outside."""
    lead, word, trail = _EDGES.match(token).groups()
    return f"{escape(lead)}<mark>{escape(word)}</mark>{escape(trail)}"


def _snippet_of(text: str, query: Query, *, words: int = 36) -> str:
    """About ``words`` words of ``text`` around the first match, matches in <mark>;
    the same on both engines. Everything from the story is escaped. Tokens are
    cleaned only up to the first match and within the snippet (a page has 20 bodies)."""
    wanted = {word for phrase in query.required for word in phrase}
    tokens = text.split()
    first = next((i for i, token in enumerate(tokens) if _plain(token) in wanted), 0)
    begin = max(0, first - words // 3)
    snippet = " ".join(
        _marked(token) if _plain(token) in wanted else escape(token)
        for token in tokens[begin : begin + words]
    )
    if begin > 0:
        snippet = "… " + snippet
    if begin + words < len(tokens):
        snippet += " …"
    return mark_safe(snippet)  # noqa: S308 - every token escaped above


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where a search looks: the site and ``dates`` narrow the (site_id, published_at)
    index, ``filters`` are tested on each document found."""

    site_id: int
    since: datetime | None
    dates: str
    date_params: list
    filters: str
    filter_params: list

    @property
    def bounds(self) -> str:
        return f"d.site_id = %s AND {self.dates}"

    @property
    def bound_params(self) -> list:
        return [self.site_id, *self.date_params]


def _scope(site, *, section_id, source_id, since, until) -> _Scope:
    adapt = connection.ops.adapt_datetimefield_value
    dates, date_params = ["TRUE"], []
    if since is not None:
        dates.append("d.published_at >= %s")
        date_params.append(adapt(since))
    if until is not None:
        dates.append("d.published_at < %s")
        date_params.append(adapt(until))
    filters, filter_params = ["TRUE"], []
    if section_id is not None:
        filters.append("d.section_id = %s")
        filter_params.append(section_id)
    if source_id is not None:
        filters.append("d.source_id = %s")
        filter_params.append(source_id)
    return _Scope(
        site.id, since, " AND ".join(dates), date_params, " AND ".join(filters), filter_params
    )


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def search(site, query: Query, *, section_id=None, source_id=None, since=None, until=None,
           limit: int = 20, offset: int = 0) -> tuple[list[Hit], bool]:  # fmt: skip
    """(hits, more) for ``query`` on ``site``: the site's newest
    ``DATELINE_SEARCH_RECENT_MATCHES`` matches, ranked by relevance, one page of them."""
    if query.empty:
        return [], False
    scope = _scope(site, section_id=section_id, source_id=source_id, since=since, until=until)
    # Top-k over recent matches: ranking every match of a common word is what makes
    # naive full-text search slow on a large archive; news readers want recent stories.
    recent = settings.DATELINE_SEARCH_RECENT_MATCHES
    if connection.vendor == "postgresql":
        rows = _postgres_page(query, scope, recent=recent, limit=limit + 1, offset=offset)
    else:
        rows = _sqlite_page(query, scope, site, recent=recent, limit=limit + 1, offset=offset)
    hits = [
        Hit(row[0], row[1], row[2], aware(row[3]), row[4], row[5], row[6], _snippet_of(row[7], query))
        for row in rows[:limit]
    ]  # fmt: skip
    return hits, len(rows) > limit


_COLUMNS = (
    "d.placement_id, p.path, d.headline, d.published_at, s.name, st.dateline_place, a.code,"
    " d.body_text"
)
_JOINS = (
    " JOIN articles_placement p ON p.id = d.placement_id"
    " JOIN articles_story st ON st.id = p.story_id"
    " JOIN network_section s ON s.id = p.section_id"
    " JOIN network_agency a ON a.id = st.agency_id"
)


def _sqlite_page(query, scope, site, *, recent, limit, offset):
    """FTS5 walks its index newest rowid first, narrowed to the site inside the index
    (search migration 0002), and stops at ``recent`` matches; ``_relevance`` ranks
    those. FTS5's bm25() is not used: to weigh each word it counts every row holding
    it (the whole doclist of "the", and of the site's own term), 10-35 ms a query at
    500,000 stories against under 1 ms for the walk."""
    newest = _fetch(
        "SELECT search_fts.rowid, d.headline, d.body_text FROM search_fts"
        " JOIN search_searchdocument d ON d.placement_id = search_fts.rowid"
        f" WHERE search_fts MATCH %s AND {scope.bounds} AND {scope.filters}"
        " ORDER BY search_fts.rowid DESC LIMIT %s",
        [fts5_expression(query, site_id=site.id), *scope.bound_params, *scope.filter_params,
         recent],
    )  # fmt: skip
    # A stable sort: among equals, the newest first.
    ranked = sorted(newest, key=lambda row: _relevance(query, row[1], row[2]), reverse=True)
    return _page_rows([row[0] for row in ranked[offset : offset + limit]])


def _relevance(query: Query, headline: str, body: str) -> float:
    """How well a matching document answers ``query``: for each required word or
    phrase, its occurrences (in the headline x5), saturated as bm25 does (the tenth
    mention adds little), summed. There is no weight by rarity (that needs every
    document's counts; PostgreSQL's ts_rank has none either): a word found in every
    story scores about the same in each and leaves the order to the others.
    Occurrences are counted as substrings of the lower-cased text, a cheap stand-in
    for the tokenizer ("missile" also counts "missiles"): ~1 ms for 200 stories."""
    headline, body = headline.lower(), body.lower()
    score = 0.0
    for phrase in query.required:
        text = " ".join(phrase)
        occurrences = 5 * headline.count(text) + body.count(text)
        score += occurrences / (occurrences + 1.2)
    return score


def _page_rows(page: list[int]) -> list[tuple]:
    """The result rows of the placements ``page``, in that order."""
    if not page:
        return []
    marks = ", ".join(["%s"] * len(page))
    rows = _fetch(
        f"SELECT {_COLUMNS} FROM search_searchdocument d{_JOINS} WHERE d.placement_id IN ({marks})",
        page,
    )
    order = {pid: i for i, pid in enumerate(page)}
    return sorted(rows, key=lambda row: order[row[0]])


def _postgres_page(query, scope, *, recent, limit, offset):
    """The newest ``recent`` matches (``_postgres_newest``, which ranks each with
    ts_rank over the stored vector it already read), best first, one page of them."""
    ranked = sorted(
        _postgres_newest(query, scope, recent=recent), key=lambda m: (m[1], m[2]), reverse=True
    )
    return _page_rows([pid for pid, _, _ in ranked[offset : offset + limit]])


def _postgres_newest(query: Query, scope: _Scope, *, recent: int) -> list[tuple]:
    """(id, rank, published_at) of the ``recent`` newest documents in ``scope``
    matching ``query``.

    Sorting every match by date is what made a common word cost seconds (every match
    of "the" on the site), so the work is bounded by what is found:

    1. walk the site's newest documents on the (site_id, published_at) index, testing
       each stored vector, until ``recent`` matches: a common word has them there;
    2. otherwise ask the GIN index for the site's matches in a window of months
       before the walk (the site and the month are lexemes of the index, search
       migration 0004), the window sized from how often the walk matched, then four
       times wider each time until enough are found;
    3. and for whatever is still missing, the rest of the site.

    A query with a phrase asks the index of word pairs instead (search migration
    0005), so a phrase whose words are common but rarely together costs a lookup.

    Each pass covers dates older than the one before, so together they return what
    one ``ORDER BY published_at DESC LIMIT recent`` would."""
    tsquery = tsquery_expression(query)
    walk = settings.DATELINE_SEARCH_WALK_DOCUMENTS
    # The walk stops at the ``recent``-th match (a common word reads about that many
    # documents); its first and last documents come along to date what it covered.
    matched = f"d.search_vector @@ q AND {scope.filters}"
    rows = _fetch(
        f"SELECT d.placement_id, ts_rank(d.search_vector, q), d.published_at, {matched},"
        " d.position FROM"
        " (SELECT d.placement_id, d.published_at, d.section_id, d.source_id, d.search_vector,"
        " row_number() OVER (ORDER BY d.published_at DESC) AS position"
        f" FROM search_searchdocument d WHERE {scope.bounds}"
        " ORDER BY d.published_at DESC LIMIT %s) d, to_tsquery('simple', %s) q"
        f" WHERE ({matched}) OR d.position IN (1, %s) ORDER BY d.published_at DESC LIMIT %s",
        [*scope.filter_params, *scope.bound_params, walk, tsquery, *scope.filter_params, walk,
         recent + 2],
    )  # fmt: skip
    matches = [(pid, rank, published) for pid, rank, published, is_match, _ in rows if is_match]
    if len(matches) >= recent:
        return matches[:recent]
    ends = {position: published for _, _, published, _, position in rows if position in (1, walk)}
    if walk not in ends:
        return matches  # the whole site (within the dates) walked
    newest, oldest = ends[1], ends[walk]
    # Documents published at the walk's oldest instant may lie on both sides of its
    # LIMIT: the next passes take that instant again.
    found = [match for match in matches if match[2] > oldest]
    wanted = recent - len(found)
    pairs = _postgres_pairs(query, scope.site_id)
    end, end_included = oldest, True
    if matches:
        # The walk saw len(matches) in (newest - oldest): at that rate, twice the
        # time that should hold the rest.
        reach = max(86400.0, (newest - oldest).total_seconds() * 2 * wanted / len(matches))
        while wanted:
            start = end - timedelta(seconds=reach) if reach < _SPAN_LIMIT else _EARLIEST
            if start <= (scope.since or _EARLIEST) or _months_between(start, end) > _MAX_MONTHS:
                break  # as well search the rest
            more = _postgres_matches(
                query, scope, pairs, end, end_included, start=start, limit=wanted
            )
            found += more
            wanted -= len(more)
            end, end_included, reach = start, False, reach * 4
    if wanted:
        found += _postgres_matches(query, scope, pairs, end, end_included, limit=wanted)
    return found


# The GIN index's expression (search migration 0004): the stored vector plus the
# lexemes '@<site id>' and '~<yyyymm>' (UTC), which no text yields.
INDEXED_VECTOR = (
    "d.search_vector || array_to_tsvector(ARRAY['@' || d.site_id::text, '~' ||"
    " (date_part('year', d.published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', d.published_at AT TIME ZONE 'UTC'))::int::text])"
)
_MAX_MONTHS = 48  # a wider window is asked for as the whole site
_SPAN_LIMIT = 200 * 365 * 86400.0  # seconds


def _months_between(start: datetime, end: datetime) -> int:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return (end.year - start.year) * 12 + end.month - start.month + 1


# The word pairs' GIN index expression (search migration 0005): '@<site id> <word>
# <next word>' for each pair of adjacent words, and the UTC month lexeme.
INDEXED_PAIRS = (
    "search_word_pairs(d.search_vector, d.site_id) || array_to_tsvector(ARRAY['~' ||"
    " (date_part('year', d.published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', d.published_at AT TIME ZONE 'UTC'))::int::text])"
)


def _postgres_pairs(query: Query, site_id: int) -> str | None:
    """The pair lexemes of the query's phrases on the site, as tsquery text ('&' of
    them), or None when it has no phrase. PostgreSQL's parser makes them from the
    phrases, as it made the documents' (a word it splits gives two lexemes)."""
    phrases = [" ".join(words) for words in query.required if len(words) > 1]
    if not phrases:
        return None
    rows = _fetch(
        "SELECT DISTINCT unnest(tsvector_to_array(search_word_pairs(to_tsvector('simple',"
        " phrase), %s))) FROM unnest(%s::text[]) phrase",
        [site_id, phrases],
    )
    if not rows:
        return None
    escaped = (lexeme.replace("\\", "\\\\").replace("'", "''") for (lexeme,) in rows)
    return " & ".join(f"'{lexeme}'" for lexeme in escaped)


def _postgres_matches(query, scope, pairs, end, end_included, *, start=None, limit):
    """The newest ``limit`` matches published before ``end`` (and from ``start``),
    through a GIN index: the word index narrowed by the site's lexeme, or with a
    phrase (``pairs``) the index of word pairs, whose lexemes name the site; and the
    months' lexemes when ``start`` is given. The index is asked for the required
    words or pairs only: phrases and exclusions are tested on the stored vector of
    what it finds (recomputing the index's expression for a recheck costs more)."""
    dates, params = f"d.published_at {'<=' if end_included else '<'} %s", [end]
    months = ""
    if start is not None:
        first, last = start.astimezone(UTC), end.astimezone(UTC)
        names, year, month = [], first.year, first.month
        while (year, month) <= (last.year, last.month):
            names.append(f"'~{year * 100 + month}'")
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        months = " & (" + " | ".join(names) + ")"
        dates += " AND d.published_at >= %s"
        params.append(start)
    if pairs is not None:
        lookup, lookup_params = f"({INDEXED_PAIRS}) @@ %s::tsquery", [pairs + months]
    else:
        # No d.site_id condition: the site's lexeme narrows in the index, and the
        # planner would add a bitmap of the whole site from the btree.
        lookup = f"({INDEXED_VECTOR}) @@ (to_tsquery('simple', %s) && %s::tsquery)"
        lookup_params = [tsquery_words(query), f"'@{int(scope.site_id)}'{months}"]
    exact, exact_params = "TRUE", []
    if query.excluded or any(len(phrase) > 1 for phrase in query.required):
        exact, exact_params = (
            "d.search_vector @@ to_tsquery('simple', %s)",
            [tsquery_expression(query)],
        )
    sql = (
        "SELECT d.placement_id, ts_rank(d.search_vector, to_tsquery('simple', %s)),"
        f" d.published_at FROM search_searchdocument d WHERE {lookup}"
        f" AND {scope.dates} AND {dates} AND {exact} AND {scope.filters}"
        " ORDER BY d.published_at DESC LIMIT %s"
    )
    params = [
        tsquery_expression(query),
        *lookup_params,
        *scope.date_params,
        *params,
        *exact_params,
        *scope.filter_params,
        limit,
    ]
    return _fetch(sql, params)
