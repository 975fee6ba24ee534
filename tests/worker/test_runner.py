import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dateline.worker import runner, schedule
from dateline.worker.models import Lease, ScheduleSlot
from dateline.worker.probes import probe_flaky, probe_sleep

ROOT = Path(__file__).resolve().parents[2]


def make_worker(**options):
    options.setdefault("lease_seconds", 30)
    return runner.Worker(
        queue_names=["default"], interval=0.05, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker",
        excluded_queue_names=[], **options,
    )  # fmt: skip


def database_url() -> str:
    """The test database as a URL, for a worker in another process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def start_worker(*args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
        "DATABASE_URL": database_url(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "dateline", "worker", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
class RetryTests:
    def test_failing_task_is_retried_then_succeeds(self, tmp_path, monkeypatch):
        """A task that raises runs again (with backoff) until it succeeds."""
        monkeypatch.setattr(schedule, "BACKOFF_BASE", timedelta(0))
        result = probe_flaky.enqueue(str(tmp_path / "runs"), 2)
        make_worker().run()
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == TaskResultStatus.SUCCESSFUL and row.return_value == 3
        assert len(row.worker_ids) == 3

    def test_gives_up_after_max_attempts(self, tmp_path, monkeypatch):
        """A task failing every time ends FAILED after its attempt limit."""
        monkeypatch.setattr(schedule, "BACKOFF_BASE", timedelta(0))
        monkeypatch.setitem(schedule.MAX_ATTEMPTS, "default", 3)
        result = probe_flaky.enqueue(str(tmp_path / "runs"), 99)
        make_worker().run()
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == TaskResultStatus.FAILED and "probe failure 3" in row.traceback
        assert (tmp_path / "runs").read_text() == "3"

    def test_backoff_grows(self):
        """Retries wait 10 s, 20 s, 40 s... capped at an hour."""
        assert [runner.backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
        assert runner.backoff(30) == timedelta(hours=1)


@pytest.mark.django_db
class ScheduleTests:
    def test_periodic_runs_once_per_slot(self, monkeypatch):
        """Several workers ticking in one period enqueue each periodic task once."""
        monkeypatch.setattr(
            schedule,
            "SCHEDULE",
            [
                schedule.Periodic(
                    "probe", "dateline.worker.probes.probe_sleep", timedelta(minutes=5)
                )
            ],
        )
        from django.utils import timezone

        now = timezone.now()
        assert runner.schedule_tick(now) == ["probe"]
        assert runner.schedule_tick(now + timedelta(seconds=1)) == []
        assert ScheduleSlot.objects.count() == 1
        assert (
            DBTaskResult.objects.filter(task_path="dateline.worker.probes.probe_sleep").count() == 1
        )
        assert runner.schedule_tick(now + timedelta(minutes=5)) == ["probe"]

    def test_schedule_names_every_task(self):
        """Every declared periodic task path imports as a task."""
        from django.utils.module_loading import import_string

        for periodic in schedule.SCHEDULE:
            assert hasattr(import_string(periodic.task_path), "enqueue")


@pytest.mark.django_db(transaction=True)
class KilledWorkerTests:
    def test_task_of_killed_worker_runs_again(self, tmp_path):
        """A worker killed with SIGKILL mid-task loses nothing: the task runs again elsewhere."""
        marker = tmp_path / "marker"
        # Long enough that a machine busy with other work cannot let it finish between
        # seeing it start and killing its worker.
        result = probe_sleep.enqueue(str(marker), 8)
        first = start_worker("--lease", "5", "--housekeeping", "0.3", "--interval", "0.1")
        try:
            assert wait_for(lambda: marker.exists() and "start" in marker.read_text()), (
                "task never started"
            )
            assert "done" not in marker.read_text()
            assert Lease.objects.filter(task_id=result.id).exists()
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            first.kill()
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING
        second = start_worker("--lease", "5", "--housekeeping", "0.3", "--interval", "0.1")
        try:
            finished = wait_for(
                lambda: (
                    DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
                ),
                timeout=40,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(10)
            except subprocess.TimeoutExpired:
                second.kill()
        assert finished, second.stdout.read().decode()[-2000:]
        assert marker.read_text().count("start") == 2 and marker.read_text().count("done") == 1
        assert len(DBTaskResult.objects.get(id=result.id).worker_ids) == 2


@pytest.mark.django_db(transaction=True)
def test_sigterm_lets_the_running_task_finish(tmp_path):
    """SIGTERM stops a worker after its current task, not in the middle of it."""
    marker = tmp_path / "marker"
    result = probe_sleep.enqueue(str(marker), 2)
    worker = start_worker("--interval", "0.1")
    try:
        assert wait_for(lambda: marker.exists() and "start" in marker.read_text())
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    finally:
        worker.kill()
    assert marker.read_text().count("done") == 1
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
