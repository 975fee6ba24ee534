from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dateline.worker import runner, schedule
from dateline.worker.models import DeadLetter, Heartbeat
from dateline.worker.probes import probe_flaky
from tests.conftest import staff_login


def run_worker():
    runner.Worker(
        queue_names=["default"], interval=0.05, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker",
        excluded_queue_names=[], lease_seconds=30,
    ).run()  # fmt: skip


@pytest.fixture
def failed_task(tmp_path, monkeypatch):
    """probe_flaky failing 3 times with 3 attempts allowed: a dead letter. Its
    fourth run (a retry) succeeds."""
    monkeypatch.setattr(schedule, "BACKOFF_BASE", timedelta(0))
    monkeypatch.setitem(schedule.MAX_ATTEMPTS, "default", 3)
    marker = tmp_path / "runs"
    result = probe_flaky.enqueue(str(marker), 3)
    run_worker()
    return result, marker


def staff(username, *permissions):
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.mark.django_db(transaction=True)
class DeadLetterTests:
    def test_task_that_keeps_failing_becomes_a_dead_letter(self, failed_task):
        """After its last attempt the task is FAILED and kept as a dead letter with
        its arguments, attempts and error."""
        result, marker = failed_task
        assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.FAILED
        letter = DeadLetter.objects.get()
        assert str(letter.task_id) == str(result.id)
        assert letter.task_path == "dateline.worker.probes.probe_flaky"
        assert letter.args == [str(marker), 3] and letter.attempts == 3
        assert letter.error == "RuntimeError: probe failure 3 of 3"
        assert "Traceback" in letter.traceback and letter.retried_at is None

    def test_listed_in_admin_with_error(self, client, failed_task):
        """The admin lists the letter with its error; its page shows the retry button."""
        staff_login(client, staff("chief", "view_deadletter", "retry_deadletter"))
        listing = client.get("/admin/worker/deadletter/")
        assert listing.status_code == 200
        assert b"RuntimeError: probe failure 3 of 3" in listing.content
        letter = DeadLetter.objects.get()
        page = client.get(f"/admin/worker/deadletter/{letter.pk}/change/")
        assert b"Retry this task" in page.content and b"probe failure" in page.content

    def test_retry_button_requeues_and_the_task_then_succeeds(self, client, failed_task):
        """The retry button queues the task again with the same arguments; the worker
        runs it and the letter records who retried it."""
        result, marker = failed_task
        staff_login(client, staff("chief", "view_deadletter", "retry_deadletter"))
        letter = DeadLetter.objects.get()
        response = client.post(f"/admin/worker/deadletter/{letter.pk}/retry/")
        assert response.status_code == 302
        letter.refresh_from_db()
        assert letter.retried_by == "chief" and letter.retry_task_id is not None
        retry = DBTaskResult.objects.get(id=letter.retry_task_id)
        assert retry.args_kwargs["args"] == [str(marker), 3]
        run_worker()
        retry.refresh_from_db()
        assert retry.status == TaskResultStatus.SUCCESSFUL and retry.return_value == 4
        again = client.post(f"/admin/worker/deadletter/{letter.pk}/retry/", follow=True)
        assert b"not retried: already retried" in again.content
        assert DBTaskResult.objects.filter(task_path=letter.task_path).count() == 2

    def test_retry_action_on_the_list(self, client, failed_task):
        """The list's action retries the selected letters."""
        staff_login(client, staff("chief", "view_deadletter", "retry_deadletter"))
        letter = DeadLetter.objects.get()
        client.post(
            "/admin/worker/deadletter/",
            {"action": "retry", "_selected_action": [letter.pk]},
        )
        letter.refresh_from_db()
        assert letter.retried_at is not None

    def test_retry_needs_its_permission(self, client, failed_task):
        """A staff member who may only view letters cannot retry them."""
        staff_login(client, staff("editor", "view_deadletter"))
        letter = DeadLetter.objects.get()
        page = client.get(f"/admin/worker/deadletter/{letter.pk}/change/")
        assert page.status_code == 200 and b"Retry this task" not in page.content
        assert client.post(f"/admin/worker/deadletter/{letter.pk}/retry/").status_code == 403
        assert client.get(f"/admin/worker/deadletter/{letter.pk}/retry/").status_code == 405
        letter.refresh_from_db()
        assert letter.retried_at is None

    def test_worker_heartbeat_removed_on_clean_stop(self, failed_task):
        """A worker that stops cleanly takes its heartbeat with it."""
        assert not Heartbeat.objects.exists()
