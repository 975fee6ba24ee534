"""PostgreSQL: a GIN index of the pairs of adjacent words of each document, so that a
phrase is looked up, not tested on every document holding its words. A GIN index
keeps no positions: "space agency" on a site where both words are common but never
together read the stored vector of each of the 4,246 documents holding both (80-90
ms at 500,000 stories) to find none.

Each pair is one lexeme qualified by the site ('@2 space agency'), taken from the
positions of the stored vector (so it is there exactly when ``'space' <-> 'agency'``
matches it); with the UTC month lexeme ('~202611') the passes of the selectors work
as on the word index (0004). Neither the parser nor our queries yield a space inside
a word, so no text can forge one. The expression is the selectors'
``INDEXED_PAIRS``; the pairs function costs ~0.4 ms a document, paid on each write
and once here (minutes at 500,000 stories). SQLite is unchanged: FTS5 keeps
positions."""

from django.db import migrations

PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_word_pairs(vector tsvector, site bigint) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH words AS (
        SELECT entry.lexeme, position FROM unnest(vector) entry, unnest(entry.positions) position
    )
    SELECT coalesce(
        array_to_tsvector(array_agg(DISTINCT '@' || site || ' ' || first.lexeme || ' ' || second.lexeme)),
        ''::tsvector
    )
    FROM words first JOIN words second ON second.position = first.position + 1
$$
"""
INDEXED_PAIRS = (
    "search_word_pairs(search_vector, site_id) || array_to_tsvector(ARRAY['~' ||"
    " (date_part('year', published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', published_at AT TIME ZONE 'UTC'))::int::text])"
)
FORWARD = [
    PAIRS_FUNCTION,
    "SET LOCAL maintenance_work_mem = '256MB'",
    f"CREATE INDEX search_document_pairs ON search_searchdocument USING GIN (({INDEXED_PAIRS}))",
    "ANALYZE search_searchdocument",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_document_pairs",
    "DROP FUNCTION IF EXISTS search_word_pairs(tsvector, bigint)",
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
    dependencies = [("search", "0004_pg_site_month_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
