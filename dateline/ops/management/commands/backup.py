"""``dateline backup PATH``: a consistent snapshot of the network, taken while it runs."""

import json

from django.core.management.base import BaseCommand, CommandError

from dateline.ops.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write a backup folder: the database (SQLite online backup or pg_dump), uploaded "
        "media and a manifest with row counts and checksums. The site keeps running."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a new folder, e.g. /backups/dateline-2026-11-25")
        parser.add_argument("--json", action="store_true", help="print the manifest")

    def handle(self, *args, path, **options):
        try:
            manifest = backup_write(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(manifest, indent=2, sort_keys=True))
            return
        tables = manifest["tables"]
        self.stdout.write(
            f"Backup written to {path}: {manifest['engine']} database, "
            f"{sum(tables.values())} rows in {len(tables)} tables, "
            f"{manifest['raw_deliveries']} raw wire deliveries, "
            f"{sum(name.startswith('media/') for name in manifest['files'])} media files."
        )
