"""Search, feeds and sitemaps on a large archive (default 500,000 stories, about 25
years of the reference network), on SQLite or PostgreSQL:

    python -m bench search [--stories N] [--engine sqlite|postgres]

Queries are drawn as readers type them: common words included, phrases, exclusions.
Prints p50 and p95 per query kind and overall, and the time to produce each feed and
sitemap through Django's WSGI handler."""

import argparse
import os
import random
import statistics
import sys
import time

QUERIES = {
    "common word": ["the", "said", "military", "officials", "government", "new", "energy", "test"],
    "mid word": [
        "radar",
        "interceptor",
        "reef",
        "turbine",
        "glacier",
        "rover",
        "drone",
        "satellite",
    ],
    "two words": [
        "missile test",
        "solar power",
        "space station",
        "air defence",
        "earthquake damage",
    ],
    "phrase": ['"air force"', '"ballistic missile"', '"space agency"', '"power grid"'],
    "exclusion": ["missile -test", "drone -police", "satellite -launch", "energy -solar"],
}


def _percentiles(values):
    values = sorted(values)
    return statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench search")
    parser.add_argument("--stories", type=int, default=500_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database",
        default="dateline_bench",
        help="PostgreSQL database to build or reuse (one per worktree on a shared server)",
    )
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if args.engine == "postgres":
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as pg:
            exists = pg.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
            ).fetchone()
            if not exists:
                pg.execute(f'CREATE DATABASE "{args.database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    else:
        os.environ["BENCH_DB"] = "search.sqlite3"
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.utils import timezone

    from bench.pages import build_archive, request
    from dateline.articles.models import Story
    from dateline.network.models import Site
    from dateline.search import selectors
    from dateline.search.models import SearchDocument
    from dateline.search.query import parse
    from dateline.search.services import search_reindex_all

    build_archive(args.stories, years=25, seed=17)
    if SearchDocument.objects.count() < Story.objects.count() * 0.9:
        started = time.perf_counter()
        search_reindex_all()
        print(f"indexed in {time.perf_counter() - started:.0f} s")
    site = Site.objects.get(slug="spacewar")
    total = Story.objects.count()
    print(f"\n{total} stories on {args.engine}; searching {site.name} ({args.rounds} rounds)\n")
    print(f"{'query kind':<14}{'p50':>10}{'p95':>10}{'queries':>9}")
    everything = []
    rng = random.Random(1)
    for kind, texts in QUERIES.items():
        timings = []
        for _ in range(args.rounds):
            for text in rng.sample(texts, len(texts)):
                query = parse(text)
                start = time.perf_counter()
                selectors.search(site, query, limit=20)
                timings.append(time.perf_counter() - start)
        everything += timings
        p50, p95 = _percentiles(timings)
        print(f"{kind:<14}{p50 * 1e3:>8.1f}ms{p95 * 1e3:>8.1f}ms{len(timings):>9}")
    p50, p95 = _percentiles(everything)
    print(f"{'all':<14}{p50 * 1e3:>8.1f}ms{p95 * 1e3:>8.1f}ms{len(everything):>9}")
    print("target: p50 <= 20 ms, p95 <= 50 ms\n")

    handler = WSGIHandler()
    now = timezone.now()
    paths = ["/feeds/rss/", "/feeds/atom/", "/feeds/missiles/rss/", "/feeds/network/rss/",
             "/sitemap.xml", f"/sitemap-{now:%Y-%m}.xml", "/sitemap-news.xml"]  # fmt: skip
    print(f"{'feed / sitemap':<28}{'median':>10}{'bytes':>10}")
    for path in paths:
        timings, size = [], 0
        for _ in range(10):
            start = time.perf_counter()
            _status, body = request(handler, path, site.host)
            timings.append(time.perf_counter() - start)
            size = len(body)
        print(f"{path:<28}{statistics.median(timings) * 1e3:>8.1f}ms{size:>10}")


if __name__ == "__main__":
    main(sys.argv[1:])
