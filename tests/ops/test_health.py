import json
import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from ops_processes import ROOT, dateline, wait_for

from dateline.worker import services as worker_services
from dateline.worker.models import Heartbeat
from dateline.worker.probes import probe_sleep

PROBE_HOST = {"host": "10.0.0.7"}  # a load balancer calls by address: not an allowed host


def beat(seconds_ago=0):
    worker_services.heartbeat_beat(worker_id="w-1", started_at=timezone.now(), tasks_run=0)
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=seconds_ago))


class HealthzTests:
    def test_answers_without_database_or_site_host(self, client):
        """/healthz answers 200 JSON on any host without touching the database (this
        test has no database access: a query would raise)."""
        response = client.get("/healthz", headers=PROBE_HOST)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response


@pytest.mark.django_db
class ReadyzTests:
    def test_ready_with_database_fresh_worker_and_short_queue(self, client):
        """Database up, a fresh heartbeat and no waiting task: 200 and every check ok."""
        beat()
        response = client.get("/readyz", headers=PROBE_HOST)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "ready"
        assert set(body["checks"]) == {"database", "worker", "queue"}
        assert all(check["ok"] for check in body["checks"].values())

    def test_not_ready_without_any_worker(self, client):
        """No worker has ever reported: 503, the worker check says so."""
        response = client.get("/readyz", headers=PROBE_HOST)
        assert response.status_code == 503
        worker = response.json()["checks"]["worker"]
        assert not worker["ok"] and "dateline worker" in worker["detail"]

    def test_not_ready_when_heartbeat_is_stale(self, client, settings):
        """A heartbeat older than DATELINE_HEARTBEAT_MAX_AGE counts as no worker."""
        settings.DATELINE_HEARTBEAT_MAX_AGE = 60
        beat(seconds_ago=61)
        response = client.get("/readyz", headers=PROBE_HOST)
        assert response.status_code == 503
        assert "no heartbeat for 61 s" in response.json()["checks"]["worker"]["detail"]

    def test_not_ready_when_queue_is_backed_up(self, client, settings, tmp_path):
        """A task due for longer than DATELINE_QUEUE_MAX_WAIT turns the queue check red."""
        settings.DATELINE_QUEUE_MAX_WAIT = 300
        beat()
        result = probe_sleep.enqueue(str(tmp_path / "marker"), 0)
        DBTaskResult.objects.filter(id=result.id).update(
            enqueued_at=timezone.now() - timedelta(seconds=301)
        )
        response = client.get("/readyz", headers=PROBE_HOST)
        assert response.status_code == 503
        queue = response.json()["checks"]["queue"]
        assert not queue["ok"] and queue["detail"].startswith("backed up: 1 due")
        assert response.json()["checks"]["worker"]["ok"]

    def test_future_retry_does_not_count_as_waiting(self, client, tmp_path):
        """A task scheduled for later (a retry's backoff) is not a backlog."""
        beat()
        result = probe_sleep.enqueue(str(tmp_path / "marker"), 0)
        DBTaskResult.objects.filter(id=result.id).update(
            enqueued_at=timezone.now() - timedelta(hours=2),
            run_after=timezone.now() + timedelta(minutes=5),
        )
        assert client.get("/readyz", headers=PROBE_HOST).status_code == 200


@pytest.mark.django_db(transaction=True)
class ReadinessFailureTests:
    def test_not_ready_when_database_is_gone(self, client, monkeypatch, tmp_path):
        """An unreachable database gives 503 and says which check failed and why."""
        connection.close()
        if connection.vendor == "sqlite":
            monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "no/such/db"))
        else:
            monkeypatch.setitem(connection.settings_dict, "PORT", "1")
            pooled = bool(connection.settings_dict["OPTIONS"].get("pool"))
            if pooled:  # the pool's connections reach the real server: a new pool
                connection.close_pool()
        try:
            response = client.get("/readyz", headers=PROBE_HOST)
            healthz = client.get("/healthz", headers=PROBE_HOST)
        finally:
            connection.close()
            if connection.vendor != "sqlite" and pooled:
                monkeypatch.undo()
                connection.close_pool()  # the next pool reaches the real server again
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not ready"
        assert not body["checks"]["database"]["ok"]
        assert body["checks"]["database"]["detail"].startswith("unreachable (OperationalError")
        assert healthz.status_code == 200  # the process still answers

    def test_turns_red_when_worker_is_killed(self, client, settings, dateline_env):
        """A running worker makes /readyz green; killed (-9), its heartbeat goes stale
        and /readyz turns 503."""
        settings.DATELINE_HEARTBEAT_MAX_AGE = 1.5
        worker = subprocess.Popen(
            [sys.executable, "-m", "dateline", "worker", "--housekeeping", "0.2", "--interval", "0.2"],
            cwd=ROOT, env=dateline_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            assert wait_for(lambda: client.get("/readyz").status_code == 200), "never ready"
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
            assert wait_for(lambda: client.get("/readyz").status_code == 503), "stayed ready"
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)
        assert "no heartbeat" in client.get("/readyz").json()["checks"]["worker"]["detail"]


@pytest.mark.django_db(transaction=True)
class StatusCommandTests:
    def test_prints_checks_and_exits_1_when_not_ready(self, dateline_env):
        """`dateline status` names each check and exits 1 without a worker."""
        result = dateline("status", env=dateline_env)
        assert result.returncode == 1, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("ok   database")
        assert lines[1].startswith("FAIL worker")
        assert lines[-1] == "NOT READY"

    def test_json_and_exit_0_when_ready(self, dateline_env):
        """With a fresh heartbeat it prints /readyz's body and exits 0."""
        beat()
        result = dateline("status", "--json", env=dateline_env)
        assert result.returncode == 0, result.stdout + result.stderr
        body = json.loads(result.stdout)
        assert body["status"] == "ready" and body["checks"]["worker"]["ok"]

    def test_unreachable_database(self, dateline_env, tmp_path):
        """Pointed at a database that cannot be opened, it says so and exits 1."""
        env = {**dateline_env, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3"}
        result = dateline("status", env=env)
        assert result.returncode == 1
        assert "FAIL database  unreachable" in result.stdout


@pytest.mark.django_db
class ReservedPathTests:
    @pytest.mark.parametrize("slug", ["healthz", "readyz", "metrics"])
    def test_section_cannot_take_a_probe_path(self, war_site, slug):
        """The middleware answers these paths on every host: no section may take them."""
        from django.core.exceptions import ValidationError

        from dateline.network.models import Section

        with pytest.raises(ValidationError, match="reserved path"):
            Section(site=war_site, slug=slug, name=slug.title()).full_clean()


@pytest.mark.django_db
class ReadyzDisclosureTests:
    def test_details_only_for_operators(self, client, settings):
        """From outside the operator networks /readyz says ready or not, with the right
        status code, and names no worker or figure; the bearer token shows the checks."""
        settings.DATELINE_METRICS_TOKEN = "ops-token-5678"
        response = client.get("/readyz", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 503 and response.json() == {"status": "not ready"}
        beat()
        assert client.get("/readyz", REMOTE_ADDR="203.0.113.9").json() == {"status": "ready"}
        with_token = client.get(
            "/readyz", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer ops-token-5678"}
        )
        assert with_token.json()["checks"]["worker"]["detail"].startswith("1 alive")
