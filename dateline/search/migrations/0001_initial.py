from django.db import migrations, models


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # External-content FTS5 over the documents, kept in step by triggers.
            cursor.execute(
                "CREATE VIRTUAL TABLE search_fts USING fts5(headline, body_text,"
                " content='search_searchdocument', content_rowid='placement_id',"
                " tokenize='unicode61 remove_diacritics 0')"
            )
            cursor.execute(
                "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN"
                " INSERT INTO search_fts(rowid, headline, body_text)"
                " VALUES (new.placement_id, new.headline, new.body_text); END"
            )
            cursor.execute(
                "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN"
                " INSERT INTO search_fts(search_fts, rowid, headline, body_text)"
                " VALUES ('delete', old.placement_id, old.headline, old.body_text); END"
            )
            cursor.execute(
                "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN"
                " INSERT INTO search_fts(search_fts, rowid, headline, body_text)"
                " VALUES ('delete', old.placement_id, old.headline, old.body_text);"
                " INSERT INTO search_fts(rowid, headline, body_text)"
                " VALUES (new.placement_id, new.headline, new.body_text); END"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "CREATE INDEX search_document_fts ON search_searchdocument USING GIN"
                " (to_tsvector('simple'::regconfig, headline || ' ' || body_text))"
            )


def drop_index(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS search_fts")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS search_document_fts")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("placement_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("story_id", models.BigIntegerField(db_index=True)),
                ("site_id", models.BigIntegerField()),
                ("section_id", models.BigIntegerField()),
                ("source_id", models.BigIntegerField(null=True)),
                ("published_at", models.DateTimeField()),
                ("headline", models.TextField()),
                ("body_text", models.TextField()),
            ],
            options={
                "indexes": [models.Index(fields=["site_id", "-published_at"], name="searchdoc_site")],
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
