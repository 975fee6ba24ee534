"""Comments and promotions on the article page: what the per-request regions cost.

Prints, in one run on one archive: the article page with comments off and no
promotions (the reference), the same page with a 100-comment thread and three
promotion slots, and the bare view returning the same bytes; then the comment
sanitiser beside bare nh3 on the same texts."""

import argparse
import os
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench comments")
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("BENCH_DB", "comments.sqlite3")
    import django

    django.setup()
    import nh3
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.pages import _time, build_archive, request
    from bench.urls import REFERENCE_BODY
    from dateline.articles.models import Placement
    from dateline.comments import services as comment_services
    from dateline.comments.models import Comment, SiteComments
    from dateline.comments.text import comment_html
    from dateline.network.models import Site
    from dateline.promotions import services as promotion_services
    from dateline.promotions.models import Promotion

    build_archive(args.stories)
    site = Site.objects.get(slug="spacewar")
    placement = Placement.objects.filter(site=site, is_live=True).order_by("-published_at").first()
    texts = [
        f"Comment {i}: a reader's view of https://example.org/{i} and <b>some</b> text.\n\n"
        "A second paragraph with <script>alert(1)</script> in it."
        for i in range(args.comments)
    ]
    Comment.objects.filter(story_id=placement.story_id).delete()
    Promotion.objects.filter(name__startswith="bench-").delete()
    parent = None
    for i, text in enumerate(texts):
        comment = comment_services.comment_submit(
            site=site, story_id=placement.story_id, parent=parent if i % 3 else None,
            author_name=f"Reader {i}", author_email=f"r{i}@example.org", body=text, verified=True,
        )  # fmt: skip
        comment_services.comment_approve(comment=comment, by=None)
        parent = comment
    for slot in ("sidebar", "after_article", "footer"):
        for n in range(3):
            promotion_services.promotion_save(
                promotion=Promotion(
                    name=f"bench-{slot}-{n}", slot=slot, headline=f"Promotion {n}",
                    url="https://example.org/", weight=n + 1,
                )
            )  # fmt: skip
    handler = WSGIHandler()
    host, path = site.host, placement.path

    def measure(label):
        cache.clear()
        status, body = request(handler, path, host)
        assert status.startswith("200"), status
        for _ in range(50):
            request(handler, path, host)
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            request(handler, path, host)
        median, p95 = _time(handler, path, host, runs=args.runs)
        return label, median, p95, len(queries), body

    SiteComments.objects.update_or_create(site=site, defaults={"mode": SiteComments.Mode.OFF})
    Promotion.objects.filter(name__startswith="bench-").update(is_active=False)
    plain = measure("article, comments off, no promotions")
    SiteComments.objects.filter(site=site).update(mode=SiteComments.Mode.BUILTIN)
    Promotion.objects.filter(name__startswith="bench-").update(is_active=True)
    full = measure(f"article, {args.comments} comments, 3 slots")
    REFERENCE_BODY["bytes"] = full[4]
    ref_median, _ = _time(handler, "/__bench__/same-bytes/", host, runs=args.runs)

    print(f"\n{args.stories} stories on SQLite; {args.runs} requests each; no page cache\n")
    print(f"{'page':<40}{'median':>10}{'p95':>10}{'queries':>9}{'bytes':>9}{'vs off':>8}")
    for label, median, p95, queries, body in (plain, full):
        print(
            f"{label:<40}{median * 1e3:>8.2f}ms{p95 * 1e3:>8.2f}ms{queries:>9}{len(body):>9}"
            f"{median / plain[1]:>7.2f}x"
        )
    print(f"{'reference: same bytes, bare view':<40}{ref_median * 1e3:>8.2f}ms")

    started = time.perf_counter()
    for text in texts * 20:
        comment_html(text)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts * 20:
        nh3.clean(text)
    bare = time.perf_counter() - started
    n = len(texts) * 20
    print(
        f"\nsanitising: comment_html {n / ours:,.0f} comments/s; bare nh3.clean "
        f"{n / bare:,.0f}/s ({ours / bare:.2f}x)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
