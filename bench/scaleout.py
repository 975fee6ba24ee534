"""The scale-out path: how fast tasks flow through the broker, and what the shared
Redis cache costs the rate limits.

References measured in the same run:

- tasks: the embedded worker (django-tasks-db on SQLite, ``dateline worker``) running
  N queued tasks, against two ``dateline broker_worker`` processes running the same N
  tasks from RabbitMQ, then from Redis (from the first enqueue to the last task done);
- cache: a comment rate-limit hit (``cache.add`` + ``incr``) on the in-process cache
  against the same on Redis over loopback.

Needs the machine's RabbitMQ and Redis (BENCH_AMQP_URL, BENCH_REDIS_URL; Redis
database 7 by default, flushed).
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def _done(marker: Path) -> int:
    return marker.read_text().count("done") if marker.exists() else 0


def _wait_done(marker: Path, count: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while _done(marker) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {_done(marker)} of {count} tasks done in {timeout:.0f} s")
        time.sleep(0.02)


def _env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DB": "scaleout.sqlite3",
        **extra,
    }


def _tasks_per_second(args, marker_dir: Path, label: str, broker_url: str | None) -> float:
    from django.db import transaction

    from dateline.worker.probes import probe_sleep

    marker = marker_dir / f"{label}-{uuid.uuid4().hex[:6]}"
    workers = []
    if broker_url:
        from dateline.worker import broker

        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        from django.conf import settings

        settings.DATELINE_TASK_QUEUE_PREFIX = prefix
        broker.app.conf.broker_url = broker_url
        broker.app._pool = None
        broker.app.amqp._producer_pool = None
        env = _env(
            DATELINE_TASKS="celery", CELERY_BROKER_URL=broker_url, DATELINE_TASK_QUEUE_PREFIX=prefix
        )
        for _ in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "dateline",
                        "broker_worker",
                        "--concurrency",
                        "1",
                        "--loglevel",
                        "WARNING",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )  # fmt: skip
            )
        time.sleep(4)  # workers connected
    started = time.perf_counter()
    with transaction.atomic():
        for _ in range(args.tasks):
            probe_sleep.enqueue(str(marker), 0)
    if not broker_url:
        env = _env()
        for _ in range(2):
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "dateline", "worker", "--batch", "--interval", "0.05"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )  # fmt: skip
            )
    _wait_done(marker, args.tasks)
    elapsed = time.perf_counter() - started
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
        worker.wait()
    return args.tasks / elapsed


def _hits_per_second(runs: int) -> float:
    from dateline.comments.spam import rate_limit

    limit = rate_limit("ip")
    started = time.perf_counter()
    for number in range(runs):
        limit.hit(f"198.51.100.{number % 200}")
    return runs / (time.perf_counter() - started)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench scaleout")
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--hits", type=int, default=20_000)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DB"] = "scaleout.sqlite3"
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    call_command("migrate", verbosity=0)
    marker_dir = Path(settings.VAR_DIR) / "scaleout-markers"
    marker_dir.mkdir(parents=True, exist_ok=True)

    print(
        f"\n{'tasks, 2 worker processes (' + str(args.tasks) + ' no-op tasks)':<48}{'tasks/s':>10}"
    )
    embedded = _tasks_per_second(args, marker_dir, "db", None)
    print(f"{'embedded worker, SQLite queue (reference)':<48}{embedded:>10.0f}")
    with override_settings(
        DATELINE_TASKS="celery",
        TASKS={"default": {"BACKEND": "dateline.worker.broker.CeleryBackend"}},
    ):
        for label, url in (("RabbitMQ", AMQP_URL), ("Redis", REDIS_URL)):
            rate = _tasks_per_second(args, marker_dir, label, url)
            print(f"{'Celery on ' + label:<48}{rate:>10.0f}  x{rate / embedded:.2f}")

    print(f"\n{'rate-limit hit (cache add + incr)':<48}{'hits/s':>10}")
    local = _hits_per_second(args.hits)
    print(f"{'in-process cache (reference)':<48}{local:>10.0f}")
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    with override_settings(CACHES=redis_cache):
        shared = _hits_per_second(args.hits)
    redis.Redis.from_url(REDIS_URL).flushdb()
    print(
        f"{'Redis over loopback (shared by every process)':<48}{shared:>10.0f}  x{shared / local:.2f}"
    )
