"""Background tasks of the comments (run by `dateline worker`, see worker/schedule.py)."""

from django.tasks import task

from . import services


@task()
def comments_housekeeping() -> dict[str, int]:
    """Daily: drop never-confirmed comments, forget old IP addresses. Safe to run twice."""
    return services.comments_forget_old()
