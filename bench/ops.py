"""Operations: what the ops middleware costs a request, what a scrape of /metrics
costs, and how fast a backup is.

References measured in the same run:

- a request through the full middleware stack *without* OpsMiddleware (the same
  bare view, the same bytes) against the same with it (request id, latency and
  status metrics, one log line, here to a logger that drops it);
- ``shutil.copyfile`` of the SQLite database file (not a consistent snapshot:
  the floor a disk copy sets) against ``dateline backup`` (online backup API,
  row counts and digests on the snapshot, checksum of the copy).
"""

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def _median_ms(function, runs) -> float:
    for _ in range(min(50, runs)):
        function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench ops")
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DB"] = "ops.sqlite3"
    import django

    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from bench.pages import build_archive, request
    from bench.urls import REFERENCE_BODY

    build_archive(args.stories, years=1, seed=11)
    REFERENCE_BODY["bytes"] = b"x" * 15_000
    path, host = "/__bench__/same-bytes/", "spacewar.localhost"
    with_ops = WSGIHandler()
    without = [m for m in settings.MIDDLEWARE if m != "dateline.ops.middleware.OpsMiddleware"]
    with override_settings(MIDDLEWARE=without):
        without_ops = WSGIHandler()
    assert request(with_ops, path, host)[0].startswith("200")
    print(f"\n{'request (bare view, 15 KB, full middleware)':<48}{'median':>10}")
    base = _median_ms(lambda: request(without_ops, path, host), args.runs)
    ops = _median_ms(lambda: request(with_ops, path, host), args.runs)
    print(f"{'without OpsMiddleware (reference)':<48}{base:>8.3f}ms")
    print(f"{'with OpsMiddleware':<48}{ops:>8.3f}ms  +{(ops - base) * 1000:.0f} µs")
    healthz = _median_ms(lambda: request(with_ops, "/healthz", "10.0.0.1"), args.runs)
    readyz = _median_ms(lambda: request(with_ops, "/readyz", "10.0.0.1"), args.runs // 4)
    scrape = _median_ms(lambda: request(with_ops, "/metrics", "10.0.0.1"), args.runs // 4)
    print(f"{'/healthz':<48}{healthz:>8.3f}ms")
    print(f"{'/readyz (3 checks, 5 queries)':<48}{readyz:>8.3f}ms")
    print(f"{'/metrics (registry + database gauges)':<48}{scrape:>8.3f}ms")

    database = Path(connection.settings_dict["NAME"])
    connection.close()
    size_mb = database.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(dir=database.parent) as scratch:
        copies, backups = [], []
        for round_ in range(3):
            started = time.perf_counter()
            shutil.copyfile(database, Path(scratch) / f"copy-{round_}")
            copies.append(time.perf_counter() - started)
            started = time.perf_counter()
            call_command("backup", str(Path(scratch) / f"backup-{round_}"), verbosity=0)
            backups.append(time.perf_counter() - started)
    copy, backup = statistics.median(copies), statistics.median(backups)
    print(f"\n{'backup of a ' + f'{size_mb:.0f} MB SQLite database':<48}{'median':>10}{'MB/s':>8}")
    print(f"{'file copy (reference, not consistent)':<48}{copy:>9.2f}s{size_mb / copy:>8.0f}")
    print(
        f"{'dateline backup (snapshot, counts, checksums)':<48}{backup:>9.2f}s"
        f"{size_mb / backup:>8.0f}  {backup / copy:.1f}x"
    )
