"""The background worker: django-tasks-db's database worker, plus what it lacks.

- **Leases.** A claimed task holds a lease that a housekeeping thread renews while
  it runs. A task whose worker died (kill -9, power loss) keeps status RUNNING with
  an expired lease; any worker puts it back in the queue. Tasks must therefore be
  safe to run twice (every task of the project is).
- **Retries with backoff.** A task that raises runs again after 10 s, 20 s, 40 s...
  up to its attempt limit (schedule.MAX_ATTEMPTS); then it is FAILED.
- **Dead letters.** A task that failed its last attempt is kept as a DeadLetter
  (admin: *Dead letters*), with its error and a retry action.
- **Heartbeat.** Each housekeeping round records that the worker is alive; the
  readiness check (/readyz) wants a fresh one.
- **Periodic schedules** (schedule.SCHEDULE) are enqueued once per period across
  any number of workers: the first to insert the period's ScheduleSlot wins.
"""

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, close_old_connections, connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult, get_date_max

from dateline.ops import metrics

from . import schedule, services
from .models import Lease, ScheduleSlot

logger = logging.getLogger("dateline.worker")

HEARTBEAT_EVERY = 1.0  # seconds, at most; /readyz allows DATELINE_HEARTBEAT_MAX_AGE (60)


def max_attempts(task_path: str) -> int:
    return schedule.MAX_ATTEMPTS.get(task_path, schedule.MAX_ATTEMPTS["default"])


def backoff(attempt: int) -> timedelta:
    return min(schedule.BACKOFF_BASE * 2 ** max(0, attempt - 1), schedule.BACKOFF_MAX)


def schedule_tick(now=None) -> list[str]:
    """Enqueue every periodic task whose current period has not run; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for periodic in schedule.SCHEDULE:
        seconds = periodic.every.total_seconds()
        slot = datetime.fromtimestamp(now.timestamp() // seconds * seconds, tz=UTC)
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(name=periodic.name, slot_start=slot)
                import_string(periodic.task_path).enqueue()
        except IntegrityError:
            continue  # another worker has this slot
        enqueued.append(periodic.name)
    ScheduleSlot.objects.filter(slot_start__lt=now - timedelta(days=2)).delete()
    return enqueued


def requeue_expired(*, lease_seconds: float, now=None) -> int:
    """Put back in the queue the tasks whose worker stopped renewing its lease (or
    died between claiming a task and taking its lease). Returns how many."""
    now = now or timezone.now()
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    live = set(Lease.objects.filter(expires_at__gte=now).values_list("task_id", flat=True))
    stale_start = now - timedelta(seconds=lease_seconds)
    for result in running.only("id", "task_path", "worker_ids", "started_at"):
        if result.id in live:
            continue
        has_lease = Lease.objects.filter(task_id=result.id).exists()
        if not has_lease and result.started_at and result.started_at > stale_start:
            continue  # just claimed; its lease is being written
        with transaction.atomic():
            updated = DBTaskResult.objects.filter(
                id=result.id, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, run_after=now)
            Lease.objects.filter(task_id=result.id).delete()
        if updated:
            requeued += 1
            logger.warning(
                "task %s (%s) lost its worker %s; queued again",
                result.id, result.task_path, (result.worker_ids or ["?"])[-1],
            )  # fmt: skip
    return requeued


class Worker(DBWorker):
    """django-tasks-db's worker with leases, retries and periodic schedules."""

    def __init__(
        self, *args, lease_seconds: float = 60.0, housekeeping_every: float = 5.0, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.lease_seconds = lease_seconds
        self.housekeeping_every = housekeeping_every
        self.current_task_id = None
        self._stop = threading.Event()
        self.started_at = timezone.now()
        self._last_beat = self._last_prune = float("-inf")
        self._housekeeper = threading.Thread(target=self._housekeeping, daemon=True)

    def run(self) -> None:
        self._housekeeper.start()
        try:
            super().run()
        finally:
            # Wait for the housekeeping round in progress: nothing of this worker
            # may write to the database after it has stopped.
            self._stop.set()
            self._housekeeper.join(timeout=30)
            try:
                services.heartbeat_stop(worker_id=self.worker_id)
            finally:
                connection.close()

    def _housekeeping(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                if self.current_task_id is not None:
                    Lease.objects.filter(task_id=self.current_task_id).update(
                        expires_at=timezone.now() + timedelta(seconds=self.lease_seconds)
                    )
                requeue_expired(lease_seconds=self.lease_seconds)
                schedule_tick()
                self._beat()
            except Exception:  # keep the thread alive; the next round retries
                logger.exception("worker housekeeping failed")
            finally:
                connection.close()
            self._stop.wait(self.housekeeping_every)

    def _beat(self) -> None:
        """The heartbeat, at most once a second whatever the housekeeping interval
        (a round must stay short: it renews the running task's lease)."""
        now = time.monotonic()
        if now - self._last_beat < HEARTBEAT_EVERY:
            return
        services.heartbeat_beat(
            worker_id=self.worker_id, started_at=self.started_at, tasks_run=self._run_tasks
        )
        if now - self._last_prune > 3600:
            services.heartbeats_prune(older_than=timezone.now() - timedelta(days=1))
            self._last_prune = now
        self._last_beat = now

    def run_task(self, db_task_result: DBTaskResult) -> None:
        Lease.objects.update_or_create(
            task_id=db_task_result.id,
            defaults={
                "worker_id": self.worker_id,
                "expires_at": timezone.now() + timedelta(seconds=self.lease_seconds),
            },
        )
        self.current_task_id = db_task_result.id
        self.running_task = True  # SIGTERM now lets the task finish (django-tasks-db's shutdown)
        task_path = db_task_result.task_path
        due = db_task_result.run_after
        if due == get_date_max():
            due = db_task_result.enqueued_at
        if db_task_result.started_at and due:
            wait = (db_task_result.started_at - due).total_seconds()
            metrics.TASK_WAIT.labels(task=task_path).observe(max(0.0, wait))
        started = time.perf_counter()
        try:
            task = db_task_result.task
            result = db_task_result.task_result
            if task.takes_context:
                from django.tasks import TaskContext

                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            db_task_result.set_successful(value)
            metrics.TASKS.labels(task=task_path, outcome="succeeded").inc()
        except Exception as error:  # noqa: BLE001 - a task's failure is recorded, not raised
            attempt = len(db_task_result.worker_ids)
            if attempt < max_attempts(db_task_result.task_path):
                delay = backoff(attempt)
                DBTaskResult.objects.filter(
                    id=db_task_result.id, status=TaskResultStatus.RUNNING
                ).update(status=TaskResultStatus.READY, run_after=timezone.now() + delay)
                metrics.TASKS.labels(task=task_path, outcome="retried").inc()
                logger.warning(
                    "task %s (%s) failed on attempt %s (%s: %s); retrying in %s",
                    db_task_result.id, db_task_result.task_path, attempt,
                    type(error).__name__, error, delay,
                )  # fmt: skip
            else:
                with transaction.atomic():
                    db_task_result.set_failed(error)
                    letter = services.dead_letter_record(
                        task_result=db_task_result, error=error, attempts=attempt
                    )
                metrics.TASKS.labels(task=task_path, outcome="dead_lettered").inc()
                logger.error(
                    "task %s (%s) failed %s times; given up, kept as dead letter %s",
                    db_task_result.id, db_task_result.task_path, attempt, letter.pk,
                )  # fmt: skip
        finally:
            metrics.TASK_DURATION.labels(task=task_path).observe(time.perf_counter() - started)
            self.current_task_id = None
            self.running_task = False
            # Only our own lease: the task may have been handed to another worker.
            Lease.objects.filter(task_id=db_task_result.id, worker_id=self.worker_id).delete()
            self._run_tasks += 1
