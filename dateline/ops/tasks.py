"""Scheduled backups: with DATELINE_BACKUP_DIR set, the worker writes a backup
once a day (worker/schedule.py) and keeps the newest DATELINE_BACKUP_KEEP."""

import logging
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .backup import MANIFEST, backup_write

logger = logging.getLogger("dateline.ops")

_NAME = re.compile(r"dateline-\d{8}-\d{6}-\d{6}")


@task()
def backup_scheduled() -> str:
    """Write today's backup and prune old ones. Nothing to do without a folder."""
    folder = getattr(settings, "DATELINE_BACKUP_DIR", "")
    if not folder:
        return "DATELINE_BACKUP_DIR is not set: no scheduled backups"
    folder = Path(folder)
    path = folder / f"dateline-{timezone.now():%Y%m%d-%H%M%S-%f}"
    manifest = backup_write(path=path)
    removed = backups_prune(folder=folder, keep=settings.DATELINE_BACKUP_KEEP)
    logger.info(
        "backup written to %s (%s rows); %s old backup(s) removed",
        path, sum(manifest["tables"].values()), len(removed),
    )  # fmt: skip
    return str(path)


def backups_prune(*, folder: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest complete backups written by the schedule
    (folders it named, with a manifest). Other folders are never touched."""
    complete = sorted(
        path for path in folder.iterdir()
        if path.is_dir() and _NAME.fullmatch(path.name) and (path / MANIFEST).is_file()
    )  # fmt: skip
    old = complete[: max(0, len(complete) - max(1, keep))]
    for path in old:
        shutil.rmtree(path)
    return old
