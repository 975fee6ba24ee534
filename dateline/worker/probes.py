"""Diagnostic tasks: operators (and the tests) use them to see a worker run,
retry and survive being killed. They touch nothing but the file they are given."""

import time
from pathlib import Path

from django.tasks import task


@task()
def probe_sleep(marker: str, seconds: float) -> str:
    """Append "start" to ``marker``, sleep, append "done"."""
    path = Path(marker)
    with path.open("a") as handle:
        handle.write("start\n")
    time.sleep(seconds)
    with path.open("a") as handle:
        handle.write("done\n")
    return "done"


@task()
def probe_flaky(marker: str, failures: int) -> int:
    """Fail the first ``failures`` runs (counted in ``marker``), then succeed."""
    path = Path(marker)
    runs = int(path.read_text() or 0) if path.exists() else 0
    path.write_text(str(runs + 1))
    if runs < failures:
        raise RuntimeError(f"probe failure {runs + 1} of {failures}")
    return runs + 1
