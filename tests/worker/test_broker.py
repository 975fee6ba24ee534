"""The broker-backed task queue (DATELINE_TASKS=celery) against the real RabbitMQ and
Redis: Django tasks enqueued unchanged, retried, dead-lettered, scheduled once per
period, and not lost when their worker is killed."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command

from dateline.worker import broker, schedule, services
from dateline.worker.models import DeadLetter, ScheduleSlot
from dateline.worker.probes import probe_flaky, probe_sleep
from tests.scaleout import AMQP_URL, REDIS_URL, require, run_prefix
from tests.worker.test_runner import ROOT, database_url, wait_for

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]


def point_app_at(url):
    """The test process publishes to ``url`` (Celery keeps its connection pools)."""
    broker.app.conf.broker_url = url
    broker.app._pool = None
    broker.app.amqp._producer_pool = None


def queue_size(queue: str) -> int:
    return broker.queue_depth(queue.rsplit(".", 1)[1])


@pytest.fixture(params=["rabbitmq", "redis"])
def celery_path(request, settings):
    """Tasks go to a real broker, on queues of this test only."""
    url = require(AMQP_URL if request.param == "rabbitmq" else REDIS_URL)
    prefix = run_prefix()
    settings.DATELINE_TASKS = "celery"
    settings.TASKS = {"default": {"BACKEND": "dateline.worker.broker.CeleryBackend"}}
    settings.DATELINE_TASK_QUEUE_PREFIX = prefix
    settings.CELERY_BROKER_URL = url
    point_app_at(url)
    yield {"url": url, "prefix": prefix, "queue": f"{prefix}.default"}
    with broker.app.connection_for_write() as connection:
        connection.default_channel.queue_delete(f"{prefix}.default")
    if request.param == "redis":
        import redis

        redis.Redis.from_url(url).flushdb()  # our own database number only
    point_app_at(None)


def start_broker_worker(path, *, visibility_timeout=3):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
        "DATABASE_URL": database_url(),
        "DATELINE_TASKS": "celery",
        "CELERY_BROKER_URL": path["url"],
        "DATELINE_TASK_QUEUE_PREFIX": path["prefix"],
        # Redis hands a dead worker's message out again after this; short for the test.
        "DATELINE_TASK_VISIBILITY_TIMEOUT": str(visibility_timeout),
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "dateline", "broker_worker", "--concurrency", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: kill -9 takes the pool too
    )  # fmt: skip


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.stdout.read().decode(errors="replace")


@pytest.fixture
def in_thread_worker(celery_path, monkeypatch):
    """A real Celery worker consuming the test's queue from a thread of this process,
    with retries at once and three attempts."""
    from celery.contrib.testing.worker import start_worker

    monkeypatch.setattr(schedule, "BACKOFF_BASE", timedelta(0))
    monkeypatch.setitem(schedule.MAX_ATTEMPTS, "default", 3)
    with start_worker(
        broker.app, pool="solo", perform_ping_check=False, queues=[celery_path["queue"]],
        shutdown_timeout=20,
    ):  # fmt: skip
        yield celery_path


# Retries run in a worker thread of this process; one broker is enough for them.
@pytest.mark.parametrize("celery_path", ["redis"], indirect=True)
class BrokerBackendTests:
    def test_enqueue_publishes_one_message_to_the_broker(self, celery_path, tmp_path, client):
        """.enqueue() of an unchanged @task puts one message on the broker's queue, which
        /metrics counts as the queue's depth."""
        from prometheus_client.parser import text_string_to_metric_families

        result = probe_sleep.enqueue(str(tmp_path / "marker"), 0)
        assert result.backend == "default" and result.status == "READY"
        assert queue_size(celery_path["queue"]) == 1
        text = client.get("/metrics").content.decode()
        depth = [
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "dateline_queue_tasks"
            and sample.labels == {"queue": "default", "status": "ready"}
        ]
        assert depth == [1.0]

    def test_arguments_that_are_not_json_are_refused_at_enqueue(self, celery_path):
        """A caller passing arguments the broker cannot carry gets the error at once."""
        with pytest.raises(TypeError):
            probe_sleep.enqueue(object(), 0)
        assert queue_size(celery_path["queue"]) == 0

    def test_failing_task_is_retried_then_succeeds(self, in_thread_worker, tmp_path):
        """A task that raises runs again until it succeeds, and leaves no dead letter."""
        marker = tmp_path / "runs"
        probe_flaky.enqueue(str(marker), 2)
        assert wait_for(lambda: marker.exists() and marker.read_text() == "3")
        assert not DeadLetter.objects.exists()

    def test_task_failing_every_attempt_ends_as_dead_letter_and_retries(
        self, in_thread_worker, tmp_path
    ):
        """After its last attempt a task is a dead letter with its error; the admin's
        retry sends it through the broker again."""
        marker = tmp_path / "runs"
        result = probe_flaky.enqueue(str(marker), 99)
        assert wait_for(lambda: DeadLetter.objects.filter(task_id=result.id).exists())
        letter = DeadLetter.objects.get(task_id=result.id)
        assert letter.attempts == 3 and marker.read_text() == "3"
        assert letter.task_path == "dateline.worker.probes.probe_flaky"
        assert "RuntimeError: probe failure 3 of 99" in letter.error
        assert letter.args == [str(marker), 99] and "Traceback" in letter.traceback

        services.dead_letter_retry(letter=letter, by="chief")
        assert wait_for(lambda: DeadLetter.objects.count() == 2)
        assert marker.read_text() == "6"


class SchedulerTests:
    def test_periodic_task_enqueued_once_per_period(self, celery_path, monkeypatch):
        """Two scheduler ticks in one period (two schedulers) publish the task once."""
        monkeypatch.setattr(
            schedule,
            "SCHEDULE",
            [schedule.Periodic("probe", "dateline.worker.probes.probe_sleep", timedelta(hours=1))],
        )
        call_command("scheduler", "--once")
        call_command("scheduler", "--once")
        assert ScheduleSlot.objects.filter(name="probe").count() == 1
        assert queue_size(celery_path["queue"]) == 1


class KilledBrokerWorkerTests:
    def test_task_of_a_killed_worker_runs_again(self, celery_path, tmp_path):
        """kill -9 of a worker mid-task loses nothing: another worker runs the task."""
        marker = tmp_path / "marker"
        first = start_broker_worker(celery_path)
        try:
            probe_sleep.enqueue(str(marker), 4)
            assert wait_for(lambda: marker.exists() and "start" in marker.read_text(), 60), stop(
                first
            )
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        finally:
            stop(first)
        assert marker.read_text() == "start\n"  # killed mid-task
        second = start_broker_worker(celery_path)
        try:
            finished = wait_for(lambda: "done" in marker.read_text(), 60)
        finally:
            output = stop(second)
        assert finished, output
        assert marker.read_text().startswith("start\nstart\n")

    def test_worker_reports_its_heartbeat(self, celery_path, tmp_path):
        """Running broker workers make /readyz's worker check green, and its queue
        check counts the broker's waiting messages."""
        from dateline.ops.health import readiness, report
        from dateline.worker.models import Heartbeat

        probe_sleep.enqueue(str(tmp_path / "marker"), 0)
        queue = report(*readiness())["checks"]["queue"]
        assert queue == {"ok": True, "detail": "1 waiting on the broker"}
        # Two on one machine, as on a worker host: each runs and reports.
        workers = [start_broker_worker(celery_path), start_broker_worker(celery_path)]
        try:
            two = wait_for(lambda: Heartbeat.objects.count() == 2, 60)
            assert two, [stop(worker) for worker in workers]
            assert report(*readiness())["checks"]["worker"]["detail"].startswith("2 alive")
        finally:
            output = [stop(worker) for worker in workers]
        assert not Heartbeat.objects.exists(), output  # a clean stop says so
