"""A desk entry for every story already in the pool when the desk arrived."""

from django.db import migrations


def entries_create(apps, schema_editor):
    WireItem = apps.get_model("wire", "WireItem")
    DeskEntry = apps.get_model("desk", "DeskEntry")
    batch = []
    for item in WireItem.objects.filter(is_current=True).only(
        "id", "source_id", "guid", "received_at", "cluster_key", "pub_status"
    ).iterator(chunk_size=2000):
        batch.append(
            DeskEntry(
                source_id=item.source_id, guid=item.guid, item_id=item.id,
                received_at=item.received_at, first_received_at=item.received_at,
                cluster_key=item.cluster_key or "",
                status="killed" if item.pub_status == "canceled" else "new",
                routed=True,
            )
        )
        if len(batch) >= 2000:
            DeskEntry.objects.bulk_create(batch)
            batch = []
    DeskEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial"), ("wire", "0001_initial")]

    operations = [migrations.RunPython(entries_create, migrations.RunPython.noop)]
