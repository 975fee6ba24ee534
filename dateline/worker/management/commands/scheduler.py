"""``dateline scheduler``: enqueue the periodic tasks on the broker path."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from dateline.worker.runner import logger, schedule_tick


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks (dateline/worker/schedule.py) once per period. "
        "For the broker path (DATELINE_TASKS=celery); the embedded `dateline worker` "
        "does this itself. A second scheduler is harmless: each period runs once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="tick once and exit")

    def handle(self, *args, interval, once, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        while True:
            try:
                close_old_connections()
                for name in schedule_tick():
                    logger.info("periodic task %r enqueued", name)
            except Exception:  # a database or broker hiccup: the next tick retries
                logger.exception("schedule tick failed")
            finally:
                connection.close()
            if once or stop.wait(interval):
                return
