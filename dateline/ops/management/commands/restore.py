"""``dateline restore PATH``: rebuild an empty instance from a backup, and check it."""

import json

from django.core.management.base import BaseCommand, CommandError

from dateline.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `dateline backup` into this instance's (empty) "
        "database and MEDIA_ROOT, then compare row counts and checksums with its manifest."
    )
    # The target may be an empty database without tables: nothing to check yet.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="a folder written by `dateline backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a non-empty instance"
        )
        parser.add_argument("--json", action="store_true", help="print the restored figures")

    def handle(self, *args, path, force, **options):
        try:
            figures = restore(path=path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2, sort_keys=True))
            return
        tables = figures["tables"]
        self.stdout.write(
            f"Restored {sum(tables.values())} rows in {len(tables)} tables from {path}; "
            f"counts and checksums match the backup, {figures['raw_deliveries_checked']} raw "
            "wire deliveries verified. Run `dateline migrate` if this code is newer."
        )
