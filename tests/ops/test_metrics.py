import hashlib
import hmac
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ops_processes import ROOT, dateline, dateline_environment, free_port, http_get, wait_for
from prometheus_client.parser import text_string_to_metric_families

from dateline.wire.models import Source
from dateline.wire.services import deliveries_ingest
from dateline.worker.probes import probe_sleep

WIRE_FIXTURES = Path(__file__).resolve().parents[1] / "wire" / "fixtures"


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in a Prometheus exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for each in family.samples:
            if each.name == name and all(each.labels.get(k) == v for k, v in labels.items()):
                return each.value
    return 0.0


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


@pytest.mark.django_db
class MetricsEndpointTests:
    def test_counts_requests_by_view_and_status(self, client, fetch, war_site):
        """Three requests to one view add three to its response counter and its
        latency histogram; a page nobody routes counts as "unmatched"."""
        before = scrape(client)
        for _ in range(3):
            assert fetch("/privacy/").status_code == 200
        client.get("/anything", headers={"host": "nowhere.localhost"})
        after = scrape(client)
        view = "privacy"
        labels = {"view": view, "status": "200"}
        assert (
            sample(after, "dateline_http_responses_total", **labels)
            - sample(before, "dateline_http_responses_total", **labels)
            == 3
        )
        count = "dateline_http_request_duration_seconds_count"
        assert (
            sample(after, count, view=view, method="GET")
            - sample(before, count, view=view, method="GET")
            == 3
        )
        unmatched = {"view": "unmatched", "status": "404"}
        assert (
            sample(after, "dateline_http_responses_total", **unmatched)
            - sample(before, "dateline_http_responses_total", **unmatched)
            == 1
        )

    def test_counts_unhandled_exceptions(self, client, settings, war_site):
        """A view that raises answers 500 and adds one to the exceptions counter."""
        settings.ROOT_URLCONF = "ops_broken_urls"
        before = scrape(client)
        client.raise_request_exception = False
        response = client.get("/boom/", headers={"host": "spacewar.localhost"})
        after = scrape(client)
        assert response.status_code == 500
        name = "dateline_http_exceptions_total"
        assert sample(after, name, view="boom") - sample(before, name, view="boom") == 1

    def test_wire_outcomes_per_source(self, client):
        """Ingesting counts items by source and outcome: new, then duplicate."""
        source = Source.objects.create(name="AFP", slug="afp-metrics")
        body = (WIRE_FIXTURES / "newsml_g2/afp_text_nitf_v1.xml").read_bytes()
        bad = (WIRE_FIXTURES / "illformed/not_well_formed.xml").read_bytes()
        before = scrape(client)
        deliveries_ingest(source=source, deliveries=[("a.xml", body), ("b.xml", bad)])
        deliveries_ingest(source=source, deliveries=[("a-again.xml", body)])
        after = scrape(client)

        def delta(outcome):
            name = "dateline_wire_items_total"
            return sample(after, name, source="afp-metrics", outcome=outcome) - sample(
                before, name, source="afp-metrics", outcome=outcome
            )

        assert (delta("new"), delta("quarantined"), delta("duplicate")) == (1, 1, 1)

    def test_webhooks_accepted_and_refused(self, client):
        """The wire push counts accepted and refused pushes."""
        secret = "push-secret-for-metrics"
        Source.objects.create(
            name="UPI", slug="upi-push", delivery_method=Source.Method.PUSH, push_secret=secret
        )
        body = (WIRE_FIXTURES / "newsml_g2/afp_text_nitf_v2.xml").read_bytes()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        before = scrape(client)
        for headers in ({"X-Dateline-Signature": signature}, {"Authorization": "Bearer wrong"}):
            client.post(
                "/wire/push/upi-push/", body, content_type="application/xml", headers=headers
            )
        after = scrape(client)
        for outcome in ("accepted", "refused"):
            name = "dateline_webhooks_total"
            labels = {"kind": "wire_push", "outcome": outcome}
            assert sample(after, name, **labels) - sample(before, name, **labels) == 1

    def test_queue_gauges_from_database(self, client, tmp_path):
        """Queue depth and dead letters are read from the database at scrape time."""
        for _ in range(2):
            probe_sleep.enqueue(str(tmp_path / "marker"), 0)
        text = scrape(client)
        assert sample(text, "dateline_queue_tasks", queue="default", status="ready") == 2
        assert sample(text, "dateline_dead_letters") == 0
        assert sample(text, "dateline_workers_alive") == 0


@pytest.mark.django_db
class MetricsAccessTests:
    def test_refused_from_other_networks(self, client):
        """A scrape from outside DATELINE_METRICS_NETWORKS gets 403 and no figures."""
        response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 403
        assert b"dateline_" not in response.content

    def test_refused_through_a_proxy_even_from_loopback(self, client):
        """A request relayed by a proxy on this machine is not a loopback scrape."""
        response = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"})
        assert response.status_code == 403

    def test_bearer_token_opens_it_anywhere(self, client, settings):
        """With DATELINE_METRICS_TOKEN set, the right bearer token works from anywhere,
        a wrong one does not."""
        settings.DATELINE_METRICS_TOKEN = "scrape-token-1234"
        good = client.get(
            "/metrics",
            REMOTE_ADDR="203.0.113.9",
            headers={"Authorization": "Bearer scrape-token-1234"},
        )
        bad = client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer nope"}
        )
        assert good.status_code == 200 and bad.status_code == 403


@pytest.mark.django_db(transaction=True)
class MultiprocessTests:
    def test_two_server_workers_and_background_worker_add_up(self, tmp_path):
        """Under `dateline serve` (two granian workers) /metrics sums the requests
        every worker answered and the tasks the background worker ran."""
        env = dateline_environment(PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prometheus"))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "dateline", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            assert wait_for(lambda: http_get(f"{base}/healthz")[0] == 200), "server never came up"
            for _ in range(20):
                assert http_get(f"{base}/nothing/", {"Host": "nowhere.localhost"})[0] == 404
            probe_sleep.enqueue(str(tmp_path / "marker"), 0)
            worker = dateline("worker", "--batch", env=env)
            assert worker.returncode == 0, worker.stdout + worker.stderr
            status, _, body = http_get(f"{base}/metrics")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        assert status == 200
        text = body.decode()
        labels = {"view": "unmatched", "status": "404"}
        assert sample(text, "dateline_http_responses_total", **labels) == 20
        task = "dateline.worker.probes.probe_sleep"
        assert sample(text, "dateline_tasks_total", task=task, outcome="succeeded") == 1
        assert len(list((tmp_path / "prometheus").glob("*.db"))) >= 2  # several processes wrote


class MetricsSettingsTests:
    def test_bad_network_is_a_system_check_error(self, settings):
        """A typo in DATELINE_METRICS_NETWORKS fails `dateline check` with a hint."""
        from dateline.ops.apps import check_metrics_networks

        settings.DATELINE_METRICS_NETWORKS = ["127.0.0.1/32", "10.0.0.0/8x"]
        [error] = check_metrics_networks(None)
        assert error.id == "dateline.ops.E001" and "'10.0.0.0/8x'" in error.msg
