"""Every periodic task of the project, declared in one place.

Each entry runs once per period across all workers (see ScheduleSlot)."""

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str  # dotted path of a django.tasks Task
    every: timedelta


SCHEDULE = [
    Periodic("scan inboxes", "dateline.wire.tasks.inboxes_scan", timedelta(seconds=15)),
    Periodic("poll feeds", "dateline.wire.tasks.feeds_poll", timedelta(minutes=5)),
    Periodic(
        "sweep pending deliveries",
        "dateline.wire.tasks.deliveries_pending_sweep",
        timedelta(minutes=5),
    ),
    # Scheduled stories go live within this period of their time.
    Periodic(
        "publish scheduled stories",
        "dateline.articles.tasks.stories_publish_due",
        timedelta(seconds=10),
    ),  # fmt: skip
    # Sources whose contract limits how long a story stays online (takedown_after_days).
    Periodic(
        "take down expired stories",
        "dateline.desk.tasks.stories_take_down_expired",
        timedelta(hours=1),
    ),
    Periodic("route desk entries", "dateline.desk.tasks.entries_route_sweep", timedelta(minutes=1)),
    Periodic("retrain suggestions", "dateline.desk.tasks.suggestions_retrain", timedelta(hours=1)),
    Periodic(
        "comments housekeeping", "dateline.comments.tasks.comments_housekeeping", timedelta(days=1)
    ),
    # A no-op unless DATELINE_BACKUP_DIR is set (dateline/ops/tasks.py).
    Periodic("back up", "dateline.ops.tasks.backup_scheduled", timedelta(days=1)),
    # Promotion draws and the footer's year in the page store (dateline/bake/).
    Periodic("refresh promotions", "dateline.bake.tasks.promotions_refresh", timedelta(minutes=1)),
    Periodic("newsletters", "dateline.newsletters.tasks.newsletters_tick", timedelta(minutes=1)),
]

# Attempts before a failing task is given up (FAILED), per task path.
MAX_ATTEMPTS = {"default": 5}
# Backoff before attempt n+1: BACKOFF_BASE * 2 ** (n - 1), at most BACKOFF_MAX.
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
