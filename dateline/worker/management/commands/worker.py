"""``dateline worker``: run background tasks (see dateline/worker/runner.py)."""

import os
import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dateline.worker.runner import Worker


class Command(BaseCommand):
    help = "Run the background worker: queued tasks, retries, leases and periodic schedules."

    def add_arguments(self, parser):
        parser.add_argument(
            # A quarter second: a publish's re-bake (bake mode) starts within it.
            "--interval",
            type=float,
            default=0.25,
            help="seconds between polls when idle",
        )
        parser.add_argument(
            "--lease", type=float, default=60.0, help="seconds a task's lease lasts"
        )
        parser.add_argument(
            "--housekeeping", type=float, default=5.0, help="seconds between lease renewals"
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="exit after this many tasks"
        )
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--queue", action="append", default=None, help="queue(s) to serve")

    def handle(self, *args, interval, lease, housekeeping, max_tasks, batch, queue, **options):
        if settings.DATELINE_TASKS != "db":
            raise CommandError(
                f"DATELINE_TASKS={settings.DATELINE_TASKS}: the tasks are on the broker; run "
                "`dateline broker_worker` and one `dateline scheduler` (docs/deploy.md)."
            )
        worker = Worker(
            queue_names=queue or settings.TASK_QUEUES,
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            lease_seconds=lease,
            housekeeping_every=housekeeping,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
