"""Desk entries lose two indexes no query needs: by source (the (source, guid) key
leads with it) and by suggested section (deskentry_suggested leads with it).
Dropped by name: altering the fields would make SQLite copy the whole table."""

import copy

import django.db.models.deletion
from django.db import migrations, models

_COVERED = ["source", "suggested_section"]


def indexes_drop(apps, schema_editor):
    model = apps.get_model("desk", "DeskEntry")
    for field_name in _COVERED:
        column = model._meta.get_field(field_name).column
        for name in schema_editor._constraint_names(
            model, [column], index=True, unique=False, primary_key=False
        ):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def indexes_create(apps, schema_editor):
    model = apps.get_model("desk", "DeskEntry")
    for field_name in _COVERED:
        field = copy.copy(model._meta.get_field(field_name))
        field.db_index = True  # as it was: its index (and PostgreSQL's LIKE index)
        for statement in schema_editor._field_indexes_sql(model, field):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_changed_at"),
        ("network", "0001_initial"),
        ("wire", "0005_unread_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="deskentry",
                    name="source",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wire.source",
                    ),
                ),
                migrations.AlterField(
                    model_name="deskentry",
                    name="suggested_section",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="network.section",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(indexes_drop, indexes_create)],
        ),
    ]
