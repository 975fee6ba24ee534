"""SQLite: the site joins the full-text index as a column, so a site's search narrows
inside FTS5 (one doclist merge) instead of checking every match of the network
against the documents table; a word common on one site and rare on another no longer
walks the whole network's matches. PostgreSQL is unchanged (the planner combines the
GIN index with the site filter)."""

from django.db import migrations

TRIGGERS = ("search_fts_ai", "search_fts_ad", "search_fts_au")


def _fts(cursor, columns: str) -> None:
    cursor.execute(
        f"CREATE VIRTUAL TABLE search_fts USING fts5({columns},"
        " content='search_searchdocument', content_rowid='placement_id',"
        " tokenize='unicode61 remove_diacritics 0')"
    )
    values = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    olds = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    cursor.execute(
        "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN"
        f" INSERT INTO search_fts(rowid, {columns}) VALUES (new.placement_id, {values}); END"
    )
    cursor.execute(
        "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN"
        f" INSERT INTO search_fts(search_fts, rowid, {columns})"
        f" VALUES ('delete', old.placement_id, {olds}); END"
    )
    cursor.execute(
        "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN"
        f" INSERT INTO search_fts(search_fts, rowid, {columns})"
        f" VALUES ('delete', old.placement_id, {olds});"
        f" INSERT INTO search_fts(rowid, {columns}) VALUES (new.placement_id, {values}); END"
    )
    cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def _rebuild(columns):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute("DROP TABLE IF EXISTS search_fts")
            _fts(cursor, columns)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _rebuild("headline, body_text, site_id"), _rebuild("headline, body_text")
        ),
    ]
