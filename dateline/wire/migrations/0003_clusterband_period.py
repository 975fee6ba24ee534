"""The band index keyed by week first (clusters.period_of): new rows go to one
recent part of the index, so a batch's writes stay a few pages as the pool grows;
its rows' item reference is no longer checked by the database (see the model)."""

from datetime import UTC, datetime, timedelta

import django.db.models.deletion
from django.db import migrations, models


def period_of(at):  # as clusters.period_of was written when this migration was
    return (at - datetime(1970, 1, 5, tzinfo=UTC)) // timedelta(days=7)


def periods_fill(apps, schema_editor):
    ClusterBand = apps.get_model("wire", "ClusterBand")
    rows = ClusterBand.objects.order_by("id").values_list("id", "at")
    changed = []
    for band_id, at in rows.iterator(chunk_size=2000):
        changed.append(ClusterBand(id=band_id, period=period_of(at)))
        if len(changed) >= 2000:
            ClusterBand.objects.bulk_update(changed, ["period"])
            changed = []
    ClusterBand.objects.bulk_update(changed, ["period"])


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0002_source_format_quirks"),
    ]

    operations = [
        migrations.AddField(
            model_name="clusterband",
            name="period",
            field=models.IntegerField(
                default=0, help_text="clusters.period_of(at): the week of the story's time"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(periods_fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="clusterband",
            name="item",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="wire.wireitem",
            ),
        ),
        migrations.RemoveConstraint(model_name="clusterband", name="clusterband_once"),
        migrations.RemoveIndex(model_name="clusterband", name="clusterband_lookup"),
        migrations.AddConstraint(
            model_name="clusterband",
            constraint=models.UniqueConstraint(
                fields=("period", "band_key", "cluster_hash"), name="clusterband_once_per_period"
            ),
        ),
    ]
