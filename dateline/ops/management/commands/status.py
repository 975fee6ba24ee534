"""``dateline status``: what /readyz says, for a person (exit status 1 when not ready)."""

import json as jsonlib

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from dateline.ops import health


class Command(BaseCommand):
    help = "Print the readiness checks (database, worker heartbeat, queue); exit 1 when not ready."
    # Reports a broken database itself rather than failing in the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print /readyz's JSON body")

    def handle(self, *args, **options):
        ready, checks = health.readiness()
        if options["json"]:
            self.stdout.write(jsonlib.dumps(health.report(ready, checks), indent=2))
        else:
            for check in checks:
                mark = "ok  " if check.ok else "FAIL"
                self.stdout.write(f"{mark} {check.name:<9} {check.detail}")
            if checks[0].ok:  # the database answers
                letters = _dead_letters()
                if letters:
                    self.stdout.write(
                        f"note dead letters: {letters} task(s) gave up; see the admin, Dead letters"
                    )
            self.stdout.write("ready" if ready else "NOT READY")
        if not ready:
            raise SystemExit(1)


def _dead_letters() -> int:
    from dateline.worker.models import DeadLetter

    try:
        return DeadLetter.objects.filter(retried_at__isnull=True).count()
    except DatabaseError:
        return 0
