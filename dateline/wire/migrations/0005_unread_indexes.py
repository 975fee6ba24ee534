"""Indexes that ingest wrote and no query read: items and deliveries by source (their
(source, guid, version) and (source, sha256) keys lead with it) and items by
cluster (the desk reads its entries' own indexed copy). Dropped by name: altering
the fields would make SQLite copy the whole table."""

import copy

import django.db.models.deletion
from django.db import migrations, models

_UNREAD = [("WireItem", "source"), ("Delivery", "source"), ("WireItem", "cluster_key")]


def indexes_drop(apps, schema_editor):
    for model_name, field_name in _UNREAD:
        model = apps.get_model("wire", model_name)
        column = model._meta.get_field(field_name).column
        for name in schema_editor._constraint_names(
            model, [column], index=True, unique=False, primary_key=False
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def indexes_create(apps, schema_editor):
    for model_name, field_name in _UNREAD:
        model = apps.get_model("wire", model_name)
        field = copy.copy(model._meta.get_field(field_name))
        field.db_index = True  # as it was: its index (and PostgreSQL's LIKE index)
        for statement in schema_editor._field_indexes_sql(model, field):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0004_band_key_primary"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="wireitem",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="wire.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="delivery",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="wire.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="wireitem",
                    name="cluster_key",
                    field=models.CharField(max_length=520),
                ),
            ],
            database_operations=[migrations.RunPython(indexes_drop, indexes_create)],
        ),
    ]
