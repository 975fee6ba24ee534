"""Keeping the search documents in step with what is live. The article services
call ``search_reindex_stories`` after each commit that changes what readers see."""

from django.db import connection, transaction

from dateline.articles.html import html_to_text
from dateline.sql import aware

from .models import SearchDocument

_LIVE_ROWS = (
    "SELECT p.id, p.story_id, p.site_id, p.section_id, st.source_id, p.published_at,"
    " st.headline, st.body FROM articles_placement p"
    " JOIN articles_story st ON st.id = p.story_id WHERE p.is_live = %s AND "
)


def _live_rows(where: str, params: list):
    sql = _LIVE_ROWS + where  # ``where`` is ours: placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *params])
        return cursor.fetchall()


def _documents(rows):
    return [
        SearchDocument(
            placement_id=pid,
            story_id=sid,
            site_id=site,
            section_id=section,
            source_id=source,
            published_at=aware(published),
            headline=headline,
            body_text=html_to_text(body),
        )  # fmt: skip
        for pid, sid, site, section, source, published, headline, body in rows
    ]


@transaction.atomic
def search_reindex_stories(story_ids) -> None:
    """Replace the documents of these stories with their live placements' text."""
    story_ids = list(story_ids)
    if not story_ids:
        return
    SearchDocument.objects.filter(story_id__in=story_ids).delete()
    marks = ", ".join(["%s"] * len(story_ids))
    rows = _live_rows(f"p.story_id IN ({marks})", story_ids)
    SearchDocument.objects.bulk_create(_documents(rows), batch_size=500)


@transaction.atomic
def search_reindex_all(*, batch: int = 2000) -> int:
    """Rebuild every document (after a bulk load, or to repair the index)."""
    SearchDocument.objects.all().delete()
    count, last = 0, 0
    while True:
        rows = _live_rows("p.id > %s ORDER BY p.id LIMIT %s", [last, batch])
        if not rows:
            _statistics_refresh()
            return count
        SearchDocument.objects.bulk_create(_documents(rows), batch_size=500)
        count += len(rows)
        last = rows[-1][0]


def _statistics_refresh() -> None:
    """PostgreSQL: after a rebuild, fresh planner statistics (how common each word is
    decides between the date index and the GIN index, see selectors) and the GIN
    indexes' pending entries merged, rather than scanned by every search until the
    next autovacuum."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchdocument")
        for index in ("search_document_site_month", "search_document_pairs"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
