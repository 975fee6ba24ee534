"""PostgreSQL: the stored vector is made of the words our query syntax knows (letters and
digits, dateline/search/query.py), as SQLite's FTS5 tokenizer makes them, so that a query
matches the same documents on both engines. PostgreSQL's parser keeps some punctuation
inside a token ('u.s' from "U.S.", '-35' from "F-35", '3.5', '9/11', 'www.example.com'),
which no query of ours could ask for: "U.S." found stories on SQLite and none here. ASCII
punctuation is now turned into spaces before the parser sees the text (non-ASCII
punctuation it already treats as a space). The column is made again, and with it the two
GIN indexes on it (0004, 0005): minutes at 500,000 stories. SQLite is unchanged."""

from django.db import migrations

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def _vector(punctuation: str) -> str:
    spaces = " " * len(punctuation)
    quoted = punctuation.replace("'", "''")
    return (
        "to_tsvector('simple'::regconfig, translate(headline || ' ' || body_text,"
        f" E'{quoted.replace(chr(92), chr(92) * 2)}', '{spaces}'))"
    )


OLD_VECTOR = "to_tsvector('simple'::regconfig, headline || ' ' || body_text)"
MONTH = (
    "array_to_tsvector(ARRAY['~' || (date_part('year', published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', published_at AT TIME ZONE 'UTC'))::int::text])"
)
INDEXED_VECTOR = (
    "search_vector || array_to_tsvector(ARRAY['@' || site_id::text, '~' ||"
    " (date_part('year', published_at AT TIME ZONE 'UTC') * 100"
    " + date_part('month', published_at AT TIME ZONE 'UTC'))::int::text])"
)
INDEXED_PAIRS = f"search_word_pairs(search_vector, site_id) || {MONTH}"


def _statements(vector: str) -> list[str]:
    return [
        "SET LOCAL maintenance_work_mem = '256MB'",
        # Dropping the column drops the two indexes built on it.
        "ALTER TABLE search_searchdocument DROP COLUMN search_vector",
        "ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector"
        f" GENERATED ALWAYS AS ({vector}) STORED",
        "CREATE INDEX search_document_site_month ON search_searchdocument"
        f" USING GIN (({INDEXED_VECTOR}))",
        "CREATE INDEX search_document_pairs ON search_searchdocument"
        f" USING GIN (({INDEXED_PAIRS}))",
        "ANALYZE search_searchdocument",
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
    dependencies = [("search", "0005_pg_word_pairs")]
    operations = [
        migrations.RunPython(_run(_statements(_vector(PUNCTUATION))), _run(_statements(OLD_VECTOR)))
    ]
