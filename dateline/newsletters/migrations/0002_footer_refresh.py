"""The footer gained a "Newsletters" row: stored footers are rendered again."""

from django.db import migrations
from django.db.models import F


def footers_stale(apps, schema_editor):
    Fragment = apps.get_model("articles", "Fragment")
    Fragment.objects.filter(key__startswith="footer:").update(
        version=F("version") + 1, fresh=False
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("articles", "0002_placement_canonical_index"),
    ]

    operations = [migrations.RunPython(footers_stale, migrations.RunPython.noop)]
