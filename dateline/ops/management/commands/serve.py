"""``dateline serve``: the sites on granian (a production-grade Rust HTTP server),
and with ``--with-worker`` the background worker beside it."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve every site of the network with granian (WSGI, several workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run one background worker (dateline worker)",
        )
        parser.add_argument(
            "--with-mailcatcher",
            action="store_true",
            help="also catch outgoing mail on 127.0.0.1:2525 (dateline mailcatcher; demo only)",
        )

    def handle(self, *args, host, port, workers, with_worker, with_mailcatcher=False, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if granian is None:
            raise CommandError("granian is not installed; run `make demo` or pip install granian.")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "PROMETHEUS_MULTIPROC_DIR": str(_metrics_dir(port)),
        }
        server_argv = [
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
        children = []
        if with_mailcatcher:
            self.stdout.write("Catching mail on 127.0.0.1:2525 (admin: Caught mail)")
            children.append(
                subprocess.Popen([sys.executable, "-m", "dateline", "mailcatcher"], env=env)
            )
        if with_worker:
            self.stdout.write("Starting the background worker")
            # Every queue, plus one worker for the page store's re-bakes alone, so that a
            # publish goes live while a long task runs.
            if settings.DATELINE_TASKS == "celery":  # the broker path: workers and the scheduler
                commands = [["broker_worker"], ["broker_worker", "--queue", "pages"], ["scheduler"]]
            else:
                commands = [["worker"], ["worker", "--queue", "pages"]]
            for command in commands:
                children.append(
                    subprocess.Popen([sys.executable, "-m", "dateline", *command], env=env)
                )
        children.append(subprocess.Popen(server_argv, env=env))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            children[-1].wait()
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(15)
                except subprocess.TimeoutExpired:
                    child.kill()


def _metrics_dir(port) -> Path:
    """Where the children (granian workers, the background worker) write their
    metrics for /metrics to add up (prometheus-client's multiprocess mode). Emptied
    at each start, as the client requires: old files would count twice. One folder per
    port by default, so that a second server on the machine leaves the first's alone."""
    default = settings.VAR_DIR / "prometheus" / str(port)
    path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or default)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)
    return path
