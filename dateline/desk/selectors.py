"""Reads behind the desk screen. The pool listing is one plain-SQL query over the
desk entries' newest-first index (200,000 entries or more), joined to the current
wire version of the 50 shown, plus one query for their cluster badges."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from dateline.network.models import Section
from dateline.sql import aware, fetch_rows

from .models import DeskEntry

PAGE_SIZE = 50
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PoolFilter:
    source_id: int | None = None
    status: str = ""
    site_id: int | None = None
    section_id: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query) -> "PoolFilter":
        def number(name):
            return id_or_none(query.get(name, ""))

        status = query.get("status", "")
        return cls(
            source_id=number("source"),
            status=status if status in DeskEntry.Status.values else "",
            site_id=number("site"),
            section_id=number("section"),
            q=query.get("q", "").replace("\x00", "").strip()[:200],  # PostgreSQL refuses NUL
        )


@dataclass(frozen=True)
class PoolRow:
    id: int
    status: str
    received_at: datetime
    source_name: str
    urgency: int | None
    dateline_place: str
    headline: str
    first_paragraph: str
    cluster_key: str
    cluster_size: int
    suggested_section_id: int | None
    suggestion_confidence: float | None
    suggested_by_rule: bool
    story_id: int | None
    update_waiting: bool
    embargo_until: datetime | None

    @property
    def cursor(self) -> str:
        return f"{self.received_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{self.id}"


def id_or_none(value) -> int | None:
    """A database id from a query string or form (ASCII digits, in range), or None."""
    value = str(value or "")
    if value.isascii() and value.isdigit() and 0 < len(value) < 19:
        return int(value)
    return None


def _cursor_decode(token: str):
    stamp, _, ident = (token or "").partition("-")
    try:
        when = datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    number = 0 if ident == "0" else id_or_none(ident)
    return None if number is None else (when, number)


def first_paragraph(body_html: str, limit: int = 320) -> str:
    match = _FIRST_PARAGRAPH.search(body_html or "")
    text = _TAG.sub("", match.group(1) if match else body_html or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def pool_page(
    flt: PoolFilter,
    *,
    before: str = "",
    after: str = "",
    changed_since: datetime | None = None,
    limit: int = PAGE_SIZE,
) -> list[PoolRow]:
    """Entries newest first matching ``flt``; ``before``/``after`` are row cursors (older
    pages, and what arrived since the screen was drawn)."""
    where, params = [], []
    if flt.source_id:
        where.append("e.source_id = %s")
        params.append(flt.source_id)
    if flt.status:
        where.append("e.status = %s")
        params.append(flt.status)
    if flt.section_id:
        where.append("e.suggested_section_id = %s")
        params.append(flt.section_id)
    elif flt.site_id:
        where.append(
            "e.suggested_section_id IN (SELECT id FROM network_section WHERE site_id = %s)"
        )
        params.append(flt.site_id)
    if flt.q:
        for word in flt.q.split()[:6]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            where.append("LOWER(w.headline) LIKE %s ESCAPE '\\'")
            params.append(f"%{escaped.lower()}%")
    # Older pages read newest first; arrivals since a cursor read oldest first, so that
    # a poll that gets only ``limit`` of them gets the next ones on the following poll.
    order = "ASC" if after else "DESC"
    order_by = "e.received_at {0}, e.id {0}"
    if changed_since is not None:
        # Rows other editors (or the wire) changed since the screen last asked.
        where.append("e.changed_at > %s")
        params.append(changed_since)
        order, order_by = "ASC", "e.changed_at {0}, e.id {0}"
    for token, op in ((before, "<"), (after, ">")):
        if not token:
            continue
        position = _cursor_decode(token)
        if position is None:
            return []  # not a cursor of ours: nothing, rather than everything
        if position:
            # The first term is a range on the index; the second settles equal times.
            where.append(f"e.received_at {op}= %s AND (e.received_at {op} %s OR e.id {op} %s)")
            params.extend([position[0], position[0], position[1]])
    sql = (
        "SELECT e.id, e.status, e.received_at, src.name, w.urgency, w.dateline_place,"
        " w.headline, w.body_html, e.cluster_key, e.suggested_section_id,"
        " e.suggestion_confidence, e.rule_id, e.story_id, e.pending_item_id, w.embargo_until,"
        " st.status"
        " FROM desk_deskentry e JOIN wire_wireitem w ON w.id = e.item_id"
        " JOIN wire_source src ON src.id = e.source_id"
        " LEFT JOIN articles_story st ON st.id = e.story_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY "
        + order_by.format(order)
        + " LIMIT %s"
    )
    rows = fetch_rows(sql, [*params, limit])
    sizes = cluster_sizes([r[8] for r in rows])
    return [
        PoolRow(
            id=r[0],
            status=_shown_status(r[1], r[15]),
            received_at=aware(r[2]),
            source_name=r[3],
            urgency=r[4],
            dateline_place=r[5] or "",
            headline=r[6] or "(no headline)",
            first_paragraph=first_paragraph(r[7]),
            cluster_key=r[8] or "",
            cluster_size=sizes.get(r[8], 1),
            suggested_section_id=r[9],
            suggestion_confidence=r[10],
            suggested_by_rule=r[11] is not None,
            story_id=r[12],
            update_waiting=r[13] is not None,
            embargo_until=aware(r[14]),
        )  # fmt: skip
        for r in rows
    ]


def _shown_status(status: str, story_status: str | None) -> str:
    """What the desk sees: a published entry whose story was withdrawn or waits for
    its time says so."""
    if status == DeskEntry.Status.PUBLISHED and story_status in ("withdrawn", "scheduled"):
        return story_status
    return status


def cluster_sizes(keys: list[str]) -> dict[str, int]:
    keys = sorted({k for k in keys if k})
    if not keys:
        return {}
    marks = ", ".join(["%s"] * len(keys))
    rows = fetch_rows(
        "SELECT cluster_key, COUNT(*) FROM desk_deskentry"  # noqa: S608 - placeholders only
        f" WHERE cluster_key IN ({marks}) GROUP BY cluster_key",
        keys,
    )
    return dict(rows)


def section_labels() -> dict[int, str]:
    """ "site / Section" for every section, for suggestion columns and pickers."""
    return {
        s.id: f"{s.site.name} / {s.name}"
        for s in Section.objects.select_related("site").order_by(
            "site__order", "site__name", "name"
        )
    }


def cluster_members(entry: DeskEntry) -> list[DeskEntry]:
    if not entry.cluster_key:
        return [entry]
    return list(
        DeskEntry.objects.filter(cluster_key=entry.cluster_key)
        .select_related("item", "source", "story")
        .order_by("-received_at")[:30]
    )
