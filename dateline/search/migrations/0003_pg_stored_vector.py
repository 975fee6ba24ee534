"""PostgreSQL: the text vector is a stored generated column with the GIN index on it.
With the expression index, a plan that walks a site's newest documents recomputed
to_tsvector over every body it passed (5.8 s for one word at 500,000 stories); a
stored vector costs nothing to test. SQLite is unchanged (FTS5, see 0002)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
    " (to_tsvector('simple'::regconfig, headline || ' ' || body_text)) STORED",
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
    "DROP INDEX IF EXISTS search_document_fts",
]
BACKWARD = [
    "CREATE INDEX search_document_fts ON search_searchdocument USING GIN"
    " (to_tsvector('simple'::regconfig, headline || ' ' || body_text))",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fts_site_column")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
