"""Readiness: can this instance do its work? Used by /readyz and ``dateline status``.

Three checks, each answering ok or a reason an operator can act on:

- **database**: a query answers;
- **worker**: at least one background worker wrote its heartbeat recently
  (``DATELINE_HEARTBEAT_MAX_AGE`` seconds, default 60; a worker writes one every
  housekeeping round, 5 s by default);
- **queue**: no task has been due and waiting longer than ``DATELINE_QUEUE_MAX_WAIT``
  seconds (default 300): the workers keep up.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.tasks import TaskResultStatus
from django.utils import timezone


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail}


def heartbeat_max_age() -> float:
    return float(getattr(settings, "DATELINE_HEARTBEAT_MAX_AGE", 60))


def queue_max_wait() -> float:
    return float(getattr(settings, "DATELINE_QUEUE_MAX_WAIT", 300))


def oldest_due_age(now) -> timedelta:
    """How long the longest-waiting due task has waited (zero when none waits).

    A task is due from its ``run_after`` (retries, scheduled runs) or, without one
    (django-tasks-db stores "none" as the largest date), from when it was enqueued."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest_enqueued = (
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list(
            "enqueued_at", flat=True
        ).first()
    )  # fmt: skip
    oldest_run_after = (
        ready.filter(run_after__lte=now).order_by("run_after").values_list("run_after", flat=True)
    ).first()
    due = [moment for moment in (oldest_enqueued, oldest_run_after) if moment is not None]
    return max(timedelta(0), now - min(due)) if due else timedelta(0)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The driver's message can name the host and user; not the password.
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Check("database", False, f"unreachable ({type(error).__name__}: {first_line})")
    return Check("database", True, f"{connection.vendor} answers")


def check_worker(now) -> Check:
    from dateline.worker.models import Heartbeat

    latest = Heartbeat.objects.order_by("-seen_at").first()
    limit = heartbeat_max_age()
    if latest is None:
        return Check(
            "worker", False, "no background worker has ever reported; run `dateline worker`"
        )
    age = (now - latest.seen_at).total_seconds()
    alive = Heartbeat.objects.filter(seen_at__gte=now - timedelta(seconds=limit)).count()
    if alive == 0:
        return Check(
            "worker",
            False,
            f"no heartbeat for {age:.0f} s (limit {limit:.0f} s); last from {latest.worker_id}",
        )
    return Check("worker", True, f"{alive} alive, last heartbeat {age:.0f} s ago")


def check_queue(now) -> Check:
    if getattr(settings, "DATELINE_TASKS", "db") == "celery":
        return check_broker_queue()
    from django_tasks_db.models import DBTaskResult

    waiting = oldest_due_age(now).total_seconds()
    limit = queue_max_wait()
    due = DBTaskResult.objects.ready().count()
    if waiting > limit:
        return Check(
            "queue",
            False,
            f"backed up: {due} due, the oldest waiting {waiting:.0f} s (limit {limit:.0f} s)",
        )
    return Check("queue", True, f"{due} due, the oldest waiting {waiting:.0f} s")


def check_broker_queue() -> Check:
    """On the broker path: the broker answers and its queue is not backed up (the
    broker counts messages, it cannot tell their age)."""
    from dateline.worker.broker import queue_depth

    limit = int(getattr(settings, "DATELINE_QUEUE_MAX_DEPTH", 1000))
    try:
        depth = queue_depth("default")
    except Exception as error:  # noqa: BLE001 - any transport error means "not ready"
        return Check("queue", False, f"broker unreachable ({type(error).__name__})")
    if depth > limit:
        return Check("queue", False, f"backed up: {depth} waiting on the broker (limit {limit})")
    return Check("queue", True, f"{depth} waiting on the broker")


def readiness() -> tuple[bool, list[Check]]:
    """Every check; without a database the others cannot be asked and say so."""
    database = check_database()
    if not database.ok:
        skipped = "not checked: the database is unreachable"
        return False, [database, Check("worker", False, skipped), Check("queue", False, skipped)]
    now = timezone.now()
    checks = [database]
    for check in (check_worker, check_queue):
        try:
            checks.append(check(now))
        except DatabaseError as error:
            checks.append(
                Check(check.__name__[6:], False, f"query failed ({type(error).__name__})")
            )
    return all(check.ok for check in checks), checks


def report(ready: bool, checks: list[Check]) -> dict:
    """The JSON body of /readyz and ``dateline status --json``."""
    return {
        "status": "ready" if ready else "not ready",
        "checks": {check.name: check.as_dict() for check in checks},
    }
