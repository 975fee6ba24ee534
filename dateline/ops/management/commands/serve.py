"""``dateline serve``: the site on granian, a production-grade Rust HTTP server."""

import os
import shutil
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve every site of the network with granian (WSGI, several workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if granian is None:
            raise CommandError("granian is not installed; run `make demo` or pip install granian.")
        os.environ["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        argv = [
            granian,
            "--interface", "wsgi",
            "--host", host,
            "--port", str(port),
            "--workers", str(workers),
            # One blocking thread per worker: Django's sync views gain nothing from
            # more and pay for the thread hand-offs (../shared/baselines.md).
            "--blocking-threads", "1",
            "--respawn-failed-workers",
            "dateline.wsgi:application",
        ]  # fmt: skip
        self.stdout.write(f"Serving on http://{host}:{port} with {workers} granian workers")
        sys.stdout.flush()
        os.execv(granian, argv)  # noqa: S606 - replaces this process with the server
