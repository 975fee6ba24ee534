"""What the worker adds to django-tasks-db: leases and once-only periodic slots."""

from django.db import models


class Lease(models.Model):
    """A running task's claim. A worker renews it while the task runs; when a
    worker dies (kill -9) it expires and the task is queued again."""

    task_id = models.UUIDField(primary_key=True)
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.task_id} by {self.worker_id} until {self.expires_at:%H:%M:%S}"


class ScheduleSlot(models.Model):
    """One run of a periodic task: the unique constraint makes a slot run once,
    however many workers reach it."""

    name = models.CharField(max_length=100)
    slot_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot_start"], name="schedule_slot_once"),
        ]

    def __str__(self):
        return f"{self.name} @ {self.slot_start:%Y-%m-%d %H:%M:%S}"


class Heartbeat(models.Model):
    """A running worker's sign of life, written by its housekeeping thread. The
    readiness check (/readyz, ``dateline status``) wants one fresh heartbeat."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    tasks_run = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.worker_id} seen {self.seen_at:%H:%M:%S}"


class DeadLetter(models.Model):
    """A task that failed every attempt it was allowed. It stays here, with its
    error, until someone retries it (a new task with the same arguments) or
    dismisses it (deletes the letter)."""

    task_id = models.UUIDField(unique=True, help_text="The task result that failed.")
    task_path = models.CharField(max_length=300)
    queue_name = models.CharField(max_length=100, default="default")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField()
    error = models.TextField(help_text="The last exception: its type and message.")
    traceback = models.TextField(blank=True)
    failed_at = models.DateTimeField(db_index=True)
    retried_at = models.DateTimeField(null=True, blank=True)
    retried_by = models.CharField(max_length=150, blank=True)
    retry_task_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = "dead letter"
        permissions = [("retry_deadletter", "Can retry a dead-lettered task")]

    def __str__(self):
        return f"{self.task_path} failed {self.failed_at:%Y-%m-%d %H:%M}"
