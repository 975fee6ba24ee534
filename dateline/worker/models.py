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
