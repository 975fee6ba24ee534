"""Stored content hashes recomputed the way ingest now computes them (the fields
joined by NUL instead of encoded as JSON), so that an unchanged feed item sent
again still compares equal to its stored version."""

import hashlib
from datetime import UTC

from django.db import migrations

_CHUNK = 2000


def _content_hash(headline, byline, place, body_html, signoff, pub_status, embargo_until):
    # Frozen copy of wire.services._content_hash as of this migration: a later change
    # there must come with a migration of its own, not change what this one did.
    embargo = embargo_until.astimezone(UTC).isoformat() if embargo_until is not None else ""
    fields = (headline, byline, place, body_html, signoff, pub_status, embargo)
    return hashlib.sha256("\x00".join(fields).encode()).hexdigest()


def recompute(apps, schema_editor):
    WireItem = apps.get_model("wire", "WireItem")
    columns = (
        "id", "headline", "byline", "dateline_place", "body_html", "signoff", "pub_status",
        "embargo_until",
    )  # fmt: skip
    last_id = 0
    while True:
        rows = list(
            WireItem.objects.using(schema_editor.connection.alias)
            .filter(id__gt=last_id)
            .order_by("id")
            .values_list(*columns)[:_CHUNK]
        )
        if not rows:
            return
        last_id = rows[-1][0]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE wire_wireitem SET content_hash = %s WHERE id = %s",
                [(_content_hash(*row[1:]), row[0]) for row in rows],
            )


class Migration(migrations.Migration):
    dependencies = [("wire", "0005_unread_indexes")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
