"""State changes of the worker's own records: heartbeats and dead letters."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from .models import DeadLetter, Heartbeat

logger = logging.getLogger("dateline.worker")


def heartbeat_beat(*, worker_id: str, started_at, tasks_run: int) -> None:
    """Record that ``worker_id`` is alive now (the readiness check reads it)."""
    Heartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"started_at": started_at, "seen_at": timezone.now(), "tasks_run": tasks_run},
    )


def heartbeat_stop(*, worker_id: str) -> None:
    """A worker that stops cleanly says so: it no longer counts as alive."""
    Heartbeat.objects.filter(worker_id=worker_id).delete()


def heartbeats_prune(*, older_than) -> int:
    """Forget workers not seen since ``older_than`` (killed, never coming back)."""
    return Heartbeat.objects.filter(seen_at__lt=older_than).delete()[0]


def dead_letter_record(*, task_result: DBTaskResult, error: BaseException, attempts: int):
    """Keep a task of the embedded worker that failed its last attempt."""
    return dead_letter_keep(
        task_id=task_result.id,
        task_path=task_result.task_path,
        queue_name=task_result.queue_name,
        args=task_result.args_kwargs.get("args", []),
        kwargs=task_result.args_kwargs.get("kwargs", {}),
        attempts=attempts,
        error=error,
        traceback=task_result.traceback or "",
    )


def dead_letter_keep(
    *, task_id, task_path: str, queue_name: str, args: list, kwargs: dict, attempts: int,
    error: BaseException, traceback: str,
) -> DeadLetter:  # fmt: skip
    """Keep a task that failed its last attempt (on either worker), with what it
    was asked to do and why it failed. Once per task id."""
    letter, _ = DeadLetter.objects.get_or_create(
        task_id=task_id,
        defaults={
            "task_path": task_path,
            "queue_name": queue_name,
            "args": args,
            "kwargs": kwargs,
            "attempts": attempts,
            "error": f"{type(error).__name__}: {error}"[:2000],
            "traceback": traceback,
            "failed_at": timezone.now(),
        },
    )
    return letter


class RetryRefused(Exception):
    """The dead letter cannot be retried (already retried, or its task is gone)."""


@transaction.atomic
def dead_letter_retry(*, letter: DeadLetter, by: str) -> str:
    """Queue the task again, as a new task with the same arguments and a fresh
    attempt count. Returns the new task's id. A letter is retried once; a retry
    that fails every attempt again becomes a new letter."""
    letter = DeadLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.retried_at is not None:
        raise RetryRefused(
            f"already retried at {letter.retried_at:%Y-%m-%d %H:%M} by {letter.retried_by}"
        )
    try:
        task = import_string(letter.task_path)
    except ImportError as error:
        raise RetryRefused(f"the task {letter.task_path} no longer exists ({error})") from error
    result = task.using(queue_name=letter.queue_name).enqueue(*letter.args, **letter.kwargs)
    letter.retried_at, letter.retried_by, letter.retry_task_id = timezone.now(), by[:150], result.id
    letter.save(update_fields=["retried_at", "retried_by", "retry_task_id"])
    logger.info(
        "dead letter %s (%s) queued again as task %s", letter.pk, letter.task_path, result.id
    )
    return str(result.id)
