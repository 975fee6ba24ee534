"""Prometheus metrics: what every process counts, and what /metrics exposes.

Counters and histograms are recorded in the process where things happen (a
granian worker, the background worker, ``dateline ingest``). With
``PROMETHEUS_MULTIPROC_DIR`` set (``dateline serve`` sets it for its children)
prometheus-client writes them to files there and /metrics sums them over every
process; without it each process exposes its own. Gauges of the shared state
(queue depth, heartbeats, dead letters) are read from the database at scrape
time, so they are right whichever process answers.

Other apps record their outcomes through the small helpers at the bottom
(``webhook_outcome``, ``newsletter_message``, ``wire_outcome``): the metric names
and labels stay in one place."""

import os
from datetime import timedelta

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

# Page and API latencies sit in the low milliseconds; feeds and admin pages go higher.
_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

HTTP_LATENCY = Histogram(
    "dateline_http_request_duration_seconds",
    "Time to answer a request, by view (the URL pattern's name) and method.",
    ["view", "method"],
    buckets=_LATENCY_BUCKETS,
)
HTTP_RESPONSES = Counter(
    "dateline_http_responses",
    "Responses by view and status code.",
    ["view", "status"],
)
HTTP_EXCEPTIONS = Counter(
    "dateline_http_exceptions",
    "Requests that raised an unhandled exception (answered 500), by view.",
    ["view"],
)
PAGE_CACHE_HITS = Counter(
    "dateline_page_cache_hits",
    "Pages answered from the page cache before Django (dateline/bake/wsgi.py), by status: "
    "200, 304 or 410. Django's own responses, misses included, are dateline_http_responses.",
    ["status"],
)
WIRE_ITEMS = Counter(
    "dateline_wire_items",
    "Ingest outcomes per source: new, updated, unchanged, stale (items), duplicate, "
    "quarantined (deliveries).",
    ["source", "outcome"],
)
WEBHOOKS = Counter(
    "dateline_webhooks",
    "Incoming webhooks and pushes by kind (wire_push, payment, bounce, ...) and outcome "
    "(accepted, refused).",
    ["kind", "outcome"],
)
NEWSLETTER_MESSAGES = Counter(
    "dateline_newsletter_messages",
    "Newsletter messages by outcome (sent, failed).",
    ["outcome"],
)
TASKS = Counter(
    "dateline_tasks",
    "Background task runs by task and outcome (succeeded, retried, dead_lettered).",
    ["task", "outcome"],
)
TASK_DURATION = Histogram(
    "dateline_task_duration_seconds",
    "Time a background task ran, by task.",
    ["task"],
    buckets=_TASK_BUCKETS,
)
TASK_WAIT = Histogram(
    "dateline_task_wait_seconds",
    "Time from when a task was due to when a worker started it (queue latency).",
    ["task"],
    buckets=_TASK_BUCKETS,
)


def webhook_outcome(kind: str, outcome: str) -> None:
    """Count one incoming webhook: ``kind`` names the endpoint (``wire_push``,
    ``payment``, ``bounce``...), ``outcome`` is ``accepted`` or ``refused``."""
    WEBHOOKS.labels(kind=kind, outcome=outcome).inc()


def newsletter_message(outcome: str, count: int = 1) -> None:
    """Count newsletter messages handed to the mail server (``sent``) or not (``failed``)."""
    NEWSLETTER_MESSAGES.labels(outcome=outcome).inc(count)


def wire_outcomes(source_slug: str, statuses) -> None:
    """Count ingest results (their ``status``: new, updated, ..., quarantined) of one source."""
    tally: dict[str, int] = {}
    for status in statuses:
        tally[status] = tally.get(status, 0) + 1
    for outcome, count in tally.items():
        WIRE_ITEMS.labels(source=source_slug, outcome=outcome).inc(count)


def _broker_depths() -> dict[tuple[str, str], int]:
    """On the broker path the waiting tasks are on the broker (a missing figure when it
    does not answer; /readyz says why)."""
    from dateline.worker.broker import queue_depth

    try:
        return {("default", "ready"): queue_depth("default")}
    except Exception:  # noqa: BLE001 - a scrape never fails for the broker's sake
        return {}


class DatabaseCollector:
    """Gauges read from the database when /metrics is scraped."""

    def collect(self):
        from django.tasks import TaskResultStatus
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from dateline.ops import health
        from dateline.worker.models import DeadLetter, Heartbeat

        now = timezone.now()
        depth = GaugeMetricFamily(
            "dateline_queue_tasks",
            "Background tasks by queue and status.",
            labels=["queue", "status"],
        )
        rows = (
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            )
            .values_list("queue_name", "status")
            .order_by()
        )
        counts: dict[tuple[str, str], int] = {}
        for queue, status in rows.iterator():
            counts[(queue, status.lower())] = counts.get((queue, status.lower()), 0) + 1
        from django.conf import settings

        if getattr(settings, "DATELINE_TASKS", "db") == "celery":
            counts.update(_broker_depths())
        for (queue, status), count in sorted(counts.items()):
            depth.add_metric([queue, status], count)
        yield depth
        yield GaugeMetricFamily(
            "dateline_queue_oldest_due_seconds",
            "Age of the oldest task that is due and not started (0 when none).",
            value=health.oldest_due_age(now).total_seconds(),
        )
        fresh = now - timedelta(seconds=health.heartbeat_max_age())
        yield GaugeMetricFamily(
            "dateline_workers_alive",
            "Background workers whose heartbeat is fresh.",
            value=Heartbeat.objects.filter(seen_at__gte=fresh).count(),
        )
        yield GaugeMetricFamily(
            "dateline_dead_letters",
            "Tasks that failed every attempt and wait for someone to retry or dismiss them.",
            value=DeadLetter.objects.filter(retried_at__isnull=True).count(),
        )


def exposition() -> tuple[bytes, str]:
    """The metrics of every process (multiprocess mode) or of this one, plus the
    database gauges, in Prometheus' text format."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return body + generate_latest(database), CONTENT_TYPE_LATEST
