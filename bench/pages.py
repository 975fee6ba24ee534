"""Public pages through Django's WSGI handler with its whole middleware stack and no
page cache, on a SQLite archive of 100,000 stories (built once under var/bench/).

Prints, per page: median and p95 time per request and the SQL queries it costs;
beside them, in the same run, a reference view that returns the same bytes
through the same handler and middleware (the floor Django itself sets)."""

import argparse
import io
import os
import statistics
import sys
import time
from datetime import timedelta

ARCHIVE_SIZE = 100_000


def _environ(path: str, host: str) -> dict:
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_ACCEPT": "text/html",
    }


def request(handler, path, host):
    status = []
    body = b"".join(handler(_environ(path, host), lambda s, h, e=None: status.append(s)))
    return status[0], body


def _time(handler, path, host, *, runs, before_each=None):
    timings = []
    for _ in range(runs):
        if before_each:
            before_each()
        start = time.perf_counter()
        request(handler, path, host)
        timings.append(time.perf_counter() - start)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def build_archive(size: int, *, years: int = 3, seed: int = 7):
    """Migrate, then generate stories over the last ``years`` until there are ``size``."""
    from django.core.management import call_command
    from django.utils import timezone
    from tqdm import tqdm

    from dateline.articles.models import Story
    from dateline.demo import services

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    services.demo_network_create()
    have = Story.objects.count()
    if have >= size:
        return have
    now = timezone.now()
    started = time.perf_counter()
    with tqdm(total=size - have, desc="Building the archive", unit="story") as bar:
        services.demo_stories_generate(
            size - have,
            seed=seed + have,
            start=now - timedelta(days=years * 365),
            end=now - timedelta(hours=1),
            progress=bar.update,
        )
    print(f"built {size - have} stories in {time.perf_counter() - started:.1f} s")
    return Story.objects.count()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench pages")
    parser.add_argument("--stories", type=int, default=ARCHIVE_SIZE)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.urls import REFERENCE_BODY
    from dateline.articles.fragments import fragments_invalidate
    from dateline.articles.models import Fragment, Placement
    from dateline.network.models import Site

    total = build_archive(args.stories)
    site = Site.objects.get(slug="spacewar")
    host = site.host
    newest = Placement.objects.filter(site=site, is_live=True).order_by("-published_at").first()
    middle = (
        Placement.objects.filter(site=site, is_live=True)
        .order_by("-published_at")[Placement.objects.filter(site=site).count() // 2 :]
        .first()
    )
    handler = WSGIHandler()
    pages = [
        ("article page (newest)", newest.path),
        ("article page (mid-archive)", middle.path),
        ("section front", f"/{newest.section.slug}/"),
        ("home page", "/"),
    ]

    print(f"\nArchive: {total} stories on SQLite; host {host}; {args.runs} requests each")
    print("Full requests through Django's WSGIHandler and middleware; no page cache.\n")
    print(f"{'page':<34}{'median':>10}{'p95':>10}{'queries':>9}{'bytes':>9}{'vs ref':>8}")
    rows = []
    for label, path in pages:
        status, body = request(handler, path, host)
        assert status.startswith("200"), (label, path, status)
        for _ in range(50):
            request(handler, path, host)
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            request(handler, path, host)
        median, p95 = _time(handler, path, host, runs=args.runs)
        REFERENCE_BODY["bytes"] = body
        ref_median, _ = _time(handler, "/__bench__/same-bytes/", host, runs=args.runs)
        rows.append((label, median, p95, len(queries), len(body), ref_median))
        print(
            f"{label:<34}{median * 1e3:>8.2f}ms{p95 * 1e3:>8.2f}ms{len(queries):>9}"
            f"{len(body):>9}{median / ref_median:>7.1f}x"
        )

    # The shared regions re-rendered on every request: the worst case right after
    # a publish touched every block.
    keys = list(Fragment.objects.values_list("key", flat=True))
    median, p95 = _time(
        handler, newest.path, host, runs=max(100, args.runs // 10),
        before_each=lambda: fragments_invalidate(keys),
    )  # fmt: skip
    print(f"{'article, every fragment re-rendered':<34}{median * 1e3:>8.2f}ms{p95 * 1e3:>8.2f}ms")
    print(f"\nreference (same bytes, bare view, same handler): {rows[0][5] * 1e3:.2f} ms median")
    print("target: article page <= 3 ms median; query counts constant as the archive grows")


if __name__ == "__main__":
    main(sys.argv[1:])
