"""The band index's key becomes its primary key, and on SQLite the table a WITHOUT
ROWID table: ingest writes sixteen band rows per item, and each went into three
B-trees (the table, its unique key, an index of items nothing reads); now one.
Django cannot turn a table's primary key into a composite one in place, so the
rows are set aside, the table made anew and the rows put back."""

import django.db.models.deletion
from django.db import migrations, models

_COLUMNS = "period, band_key, cluster_hash, item_id, at"


def band_table_create(apps, schema_editor):
    band = apps.get_model("wire", "ClusterBand")
    if schema_editor.connection.vendor == "sqlite":
        sql, params = schema_editor.table_sql(band)
        schema_editor.execute(f"{sql} WITHOUT ROWID", params or None)
    else:
        schema_editor.create_model(band)


def band_table_drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("wire", "ClusterBand"))


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0003_clusterband_period"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TABLE wire_clusterband_kept AS SELECT {_COLUMNS} FROM wire_clusterband",
            reverse_sql=[
                f"INSERT INTO wire_clusterband ({_COLUMNS}) SELECT {_COLUMNS} FROM wire_clusterband_kept",
                "DROP TABLE wire_clusterband_kept",
            ],
        ),
        migrations.DeleteModel(name="ClusterBand"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClusterBand",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "period", "band_key", "cluster_hash", blank=True, editable=False,
                                primary_key=True, serialize=False,
                            ),
                        ),
                        (
                            "period",
                            models.IntegerField(
                                help_text="clusters.period_of(at): the week of the story's time"
                            ),
                        ),
                        ("band_key", models.BigIntegerField()),
                        (
                            "cluster_hash",
                            models.BigIntegerField(help_text="clusters.cluster_hash(cluster_key)"),
                        ),
                        ("at", models.DateTimeField()),
                        (
                            "item",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="wire.wireitem",
                            ),
                        ),
                    ],
                ),
            ],
        ),
        migrations.RunPython(band_table_create, band_table_drop),
        migrations.RunSQL(
            f"INSERT INTO wire_clusterband ({_COLUMNS}) SELECT {_COLUMNS} FROM wire_clusterband_kept",
            reverse_sql=f"CREATE TABLE wire_clusterband_kept AS SELECT {_COLUMNS} FROM wire_clusterband",
        ),
        migrations.RunSQL(
            "DROP TABLE wire_clusterband_kept",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
