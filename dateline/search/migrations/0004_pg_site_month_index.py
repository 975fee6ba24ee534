"""PostgreSQL: the GIN index covers the site and the UTC month of each document as
two extra lexemes ('@<site id>' and '~<yyyymm>', which no text yields: the parser
splits on '@' and '~'), so that a site's search, and a search bounded to recent
months, intersect posting lists inside the index, as the site column of SQLite's
FTS5 index does (0002). With the vector-only index the planner combined a word
common on another site with a bitmap of the whole site from the btree (136,000
entries at 500,000 stories, gone lossy), rechecking thousands of stored vectors.
The expression is the selectors' ``INDEXED_VECTOR``. SQLite is unchanged."""

from django.db import migrations

INDEXED_VECTOR = (
    "search_vector || array_to_tsvector(ARRAY['@' || site_id::text, '~' ||"
    " (date_part('year', published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', published_at AT TIME ZONE 'UTC'))::int::text])"
)
FORWARD = [
    "SET LOCAL maintenance_work_mem = '256MB'",
    f"CREATE INDEX search_document_site_month ON search_searchdocument USING GIN (({INDEXED_VECTOR}))",
    "DROP INDEX IF EXISTS search_document_vector",
]
BACKWARD = [
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
    "DROP INDEX IF EXISTS search_document_site_month",
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
    dependencies = [("search", "0003_pg_stored_vector")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
