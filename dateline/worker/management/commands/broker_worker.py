"""``dateline broker_worker``: run tasks from the broker (DATELINE_TASKS=celery)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run a Celery worker for the broker-backed task queue (DATELINE_TASKS=celery); "
        "start several, on as many machines as needed, and one `dateline scheduler`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency", type=int, default=2, help="tasks run at once (pool processes)"
        )
        parser.add_argument(
            "--queue", action="append", default=None, help="Django task queue(s) to serve"
        )
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, concurrency, queue, loglevel, **options):
        if settings.DATELINE_TASKS != "celery":
            raise CommandError(
                "DATELINE_TASKS is not 'celery': the tasks are in the database; "
                "run `dateline worker` instead (docs/deploy.md)."
            )
        if not settings.CELERY_BROKER_URL:
            raise CommandError("Set CELERY_BROKER_URL (or REDIS_URL) to the broker's URL.")
        from dateline.worker.broker import app, broker_queue

        queues = ",".join(broker_queue(name) for name in (queue or settings.TASK_QUEUES))
        app.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                f"--queues={queues}",
                f"--loglevel={loglevel}",
                # Unique per process: two workers of one machine under Celery's default
                # node name (celery@host) would fight over RabbitMQ's control queue.
                f"--hostname=dateline-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ]
        )
