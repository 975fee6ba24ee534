"""The broker-backed task queue: Django's Tasks API on Celery (DATELINE_TASKS=celery).

The project's tasks stay plain ``@task`` functions and callers keep calling
``.enqueue()``. :class:`CeleryBackend` publishes each call as one message to the
broker (Redis or RabbitMQ, ``CELERY_BROKER_URL``); ``dateline broker_worker`` runs
them through the single Celery task :func:`run`, which gives them what the
embedded worker gives (dateline/worker/runner.py):

- **Retries with backoff**, the same schedule (schedule.MAX_ATTEMPTS, BACKOFF_BASE):
  a failed attempt is published again with a countdown.
- **Dead letters**: a task that failed its last attempt is kept as a DeadLetter,
  retried from the admin like any other (the retry is enqueued on the broker).
- **Nothing lost to kill -9**: messages are acknowledged after the task ran
  (``acks_late``) and given back when a pool process dies
  (``reject_on_worker_lost``); a worker that vanishes leaves its message
  unacknowledged, and the broker hands it out again: RabbitMQ when the connection
  drops, Redis when the visibility timeout (DATELINE_TASK_VISIBILITY_TIMEOUT) has
  passed. Tasks must therefore be safe to run twice (every task of the project is).
- **Heartbeats** for /readyz and ``dateline status``, from each worker process.

Periodic tasks are enqueued by ``dateline scheduler`` (schedule_tick, once per
period however many schedulers run).
"""

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from datetime import datetime

from celery import Celery, signals
from django.db import close_old_connections, connection, transaction
from django.tasks import TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskContext, TaskResult
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.module_loading import import_string

from dateline.ops import metrics

from . import services
from .runner import HEARTBEAT_EVERY, backoff, max_attempts

logger = logging.getLogger("dateline.worker")

app = Celery("dateline")
# Every CELERY_* Django setting (dateline/settings/base.py) configures the app.
app.config_from_object("django.conf:settings", namespace="CELERY")


def broker_queue(queue_name: str) -> str:
    """The broker's queue for a Django task queue: prefixed, so that several
    installations (or test runs) can share one broker."""
    from django.conf import settings

    return f"{settings.DATELINE_TASK_QUEUE_PREFIX}.{queue_name}"


def queue_depth(queue_name: str) -> int:
    """Messages waiting on the broker for a Django task queue (0 for a queue no one
    has declared yet)."""
    with app.connection_for_write() as broker_connection:
        broker_connection.ensure_connection(max_retries=1)
        try:
            channel = broker_connection.default_channel
            return channel.queue_declare(queue=broker_queue(queue_name), passive=True).message_count
        except broker_connection.channel_errors:  # RabbitMQ: not declared yet
            return 0


class CeleryBackend(BaseTaskBackend):
    """Enqueues Django tasks to Celery. Publishing waits for the enqueuing
    transaction to commit, so that a worker never runs a task for rows it cannot
    see yet, nor for rows that were rolled back."""

    supports_defer = True

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=str(uuid.uuid4()),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            finished_at=None,
            last_attempted_at=None,
            args=args,  # normalised to JSON here: bad arguments fail the caller, not the worker
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        message = {
            "args": [task.module_path, result.args, result.kwargs],
            "kwargs": {
                "queue_name": task.queue_name,
                "enqueued_at": result.enqueued_at.isoformat(),
            },
            "task_id": result.id,
            "queue": broker_queue(task.queue_name),
        }
        if task.run_after is not None:
            message["eta"] = task.run_after
        transaction.on_commit(lambda: run.apply_async(**message))
        task_enqueued.send(type(self), task_result=result)
        return result


@app.task(bind=True, name="dateline.worker.run", acks_late=True, reject_on_worker_lost=True)
def run(self, task_path: str, args: list, kwargs: dict, *, queue_name="default", enqueued_at=None):
    """Run the Django task ``task_path``; retry it with backoff, and keep it as a
    dead letter when its last attempt fails."""
    attempt = self.request.retries + 1
    if attempt == 1 and enqueued_at:
        wait = (timezone.now() - datetime.fromisoformat(enqueued_at)).total_seconds()
        metrics.TASK_WAIT.labels(task=task_path).observe(max(0.0, wait))
    started = time.perf_counter()
    try:
        task = import_string(task_path)
        if task.takes_context:
            now = timezone.now()
            result = TaskResult(
                task=task, id=self.request.id, status=TaskResultStatus.RUNNING,
                enqueued_at=None, started_at=now, finished_at=None, last_attempted_at=now,
                args=args, kwargs=kwargs, backend="default", errors=[],
                worker_ids=[self.request.hostname or "?"] * attempt,
            )  # fmt: skip
            task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            task.call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - a task's failure is recorded, not raised
        if attempt < max_attempts(task_path):
            delay = backoff(attempt)
            metrics.TASKS.labels(task=task_path, outcome="retried").inc()
            logger.warning(
                "task %s (%s) failed on attempt %s (%s: %s); retrying in %s",
                self.request.id, task_path, attempt, type(error).__name__, error, delay,
            )  # fmt: skip
            raise self.retry(countdown=delay.total_seconds(), max_retries=None) from error
        letter = services.dead_letter_keep(
            task_id=self.request.id, task_path=task_path, queue_name=queue_name,
            args=args, kwargs=kwargs, attempts=attempt, error=error,
            traceback="".join(traceback.format_exception(error)),
        )  # fmt: skip
        metrics.TASKS.labels(task=task_path, outcome="dead_lettered").inc()
        logger.error(
            "task %s (%s) failed %s times; given up, kept as dead letter %s",
            self.request.id, task_path, attempt, letter.pk,
        )  # fmt: skip
        return None
    finally:
        metrics.TASK_DURATION.labels(task=task_path).observe(time.perf_counter() - started)
    metrics.TASKS.labels(task=task_path, outcome="succeeded").inc()
    # The task's value is dropped: results are not kept, and Celery would log it (a
    # task's return value may name a reader).
    return None


class _Heartbeat(threading.Thread):
    """Writes the worker's heartbeat (the Heartbeat model) while it runs."""

    def __init__(self):
        super().__init__(daemon=True, name="dateline-heartbeat")
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-celery"[:64]
        self.started_at = timezone.now()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                close_old_connections()
                services.heartbeat_beat(
                    worker_id=self.worker_id, started_at=self.started_at, tasks_run=0
                )
            except Exception:  # the next round retries
                logger.exception("worker heartbeat failed")
            finally:
                connection.close()
            self.stop.wait(max(HEARTBEAT_EVERY, 5.0))


_heartbeat: _Heartbeat | None = None


@signals.worker_ready.connect
def _heartbeat_start(**_):
    global _heartbeat
    _heartbeat = _Heartbeat()
    _heartbeat.start()


@signals.worker_shutdown.connect
def _heartbeat_stop(**_):
    if _heartbeat is not None:
        _heartbeat.stop.set()
        _heartbeat.join(timeout=10)
        services.heartbeat_stop(worker_id=_heartbeat.worker_id)
        connection.close()
