"""The static bake at 100,000 stories (the archive of bench/pages.py, under var/bench/).

Prints, each beside a reference measured in the same run:

1. nginx with the shipped configuration (`dateline bake --nginx-conf`) serving a baked
   article page, against a bare nginx serving a plain file of the assembled page's bytes;
2. a cache hit through granian and the page cache's WSGI front, against that nginx rate;
3. cache misses (every request a different article, page cache off) through granian;
4. a full `dateline bake --processes 2`, against Hugo building the same stories from
   markdown with layouts that mirror our article shell (a sample diffed);
5. publish to live in bake mode: the desk's publish call until the article, its section
   front and the home page are rewritten on disk by a real `dateline worker`.

wrk sends no Accept-Encoding header, so nginx answers uncompressed on both sides.
"""

import argparse
import difflib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PAGES = VAR / "bake-pages"
HOST = "spacewar.localhost"


def _env(**extra) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.update({"DATELINE_PAGE_DIR": str(PAGES), **extra})
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"server on {port} exited: {process.returncode}") from None
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wrk(port: int, path: str, *, duration: int, script: Path | None = None) -> float:
    """Requests per second from `wrk -t2 -c64` on loopback (no Accept-Encoding)."""
    argv = ["wrk", "-t2", "-c64", f"-d{duration}s", "-H", f"Host: {HOST}"]
    if script is not None:
        argv += ["-s", str(script)]
    out = subprocess.run(
        [*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors on {path}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


# -- 4. the full bake and Hugo --------------------------------------------------------


def bake(processes: int) -> tuple[float, int]:
    """(seconds, pages) of a full bake into an empty folder."""
    shutil.rmtree(PAGES, ignore_errors=True)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dateline", "bake", "--quiet", "--processes", str(processes)],
        env=_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, int(re.search(r"baked (\d+) pages", out)[1])


HUGO_LAYOUT = """\
<!doctype html>
<html lang="{{ .Site.Params.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ .Site.Params.name }}</title>
<link rel="alternate" type="application/rss+xml" title="{{ .Site.Params.name }} (RSS)" href="/feeds/rss/">
<link rel="alternate" type="application/atom+xml" title="{{ .Site.Params.name }} (Atom)" href="/feeds/atom/">
<link rel="alternate" type="application/rss+xml" title="{{ .Site.Params.name }}: {{ .Params.section_name }} (RSS)" href="/feeds/{{ .Params.section_slug }}/rss/">
<link rel="canonical" href="{{ .Params.canonical_url }}">
{{ with .Params.teaser }}<meta name="description" content="{{ . }}">{{ end }}
<meta property="og:type" content="article">
<meta property="og:site_name" content="{{ .Site.Params.name }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Params.canonical_url }}">
{{ with .Params.teaser }}<meta property="og:description" content="{{ . }}">{{ end }}
<meta property="article:published_time" content="{{ .Params.published_iso }}">
<meta property="article:section" content="{{ .Params.section_name }}">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ .Title }}">
{{ with .Params.teaser }}<meta name="twitter:description" content="{{ . }}">{{ end }}
<script type="application/ld+json">{{ .Params.structured_data | safeJS }}</script>
{{ .Site.Params.head_tail | safeHTML }}
</head>
<body>
{{ .Site.Params.masthead | safeHTML }}
  <nav class="sections" aria-label="Sections">
    <ul class="wrap">
      {{ range .Site.Params.sections }}<li><a href="/{{ .slug }}/"{{ if eq .slug $.Params.section_slug }} aria-current="page"{{ end }}>{{ .name }}</a></li>{{ end }}
    </ul>
  </nav>
</header>
<div class="wrap layout">
  <main id="content">
<article class="story">
  <header>
    <p class="label"><a href="/{{ .Params.section_slug }}/">{{ .Params.section_name }}</a></p>
    <h1>{{ .Title }}</h1>
    {{ with .Params.byline }}<p class="byline">By {{ . }}</p>{{ end }}
    <p class="dateline">{{ .Params.place }} ({{ .Params.agency }}) {{ .Params.local_date }}</p>
  </header>
  <div class="body">
{{ .Content }}
  </div>
  {{ with .Params.signoff }}<p class="signoff">{{ . }}</p>{{ end }}
</article>
{{ with .Params.previous }}
<section class="previous" aria-label="Previous story in {{ $.Params.section_name }}">
  <p class="label">{{ $.Params.section_name }}</p>
  <h2><a href="{{ .path }}">{{ .headline }}</a></h2>
  <p class="teaser">{{ .teaser }} <a href="{{ .path }}" aria-label="Read more: {{ .headline }}">... read more</a></p>
</section>
{{ end }}
<section class="share" aria-labelledby="share-heading">
  <h2 id="share-heading">Share this article</h2>
  <ul>
    <li><a class="share-email" href="mailto:?subject={{ .Title | urlquery }}&amp;body={{ .Params.canonical_url | urlquery }}" rel="nofollow noopener noreferrer">E-mail</a></li>
    <li><a class="share-x" href="https://x.com/intent/post?url={{ .Params.canonical_url | urlquery }}&amp;text={{ .Title | urlquery }}" rel="nofollow noopener noreferrer">X</a></li>
  </ul>
</section>
<!--# include virtual="/_fragments/promotions/after_article.$dateline_variant.html" -->
  </main>
  <aside class="sidebar" aria-label="Latest headlines by section">
    {{ range .Site.Params.sections }}{{ if ne .slug $.Params.section_slug }}<!--# include virtual="/_fragments/headlines/{{ .slug }}.html" -->{{ end }}{{ end }}
    <!--# include virtual="/_fragments/promotions/sidebar.$dateline_variant.html" -->
  </aside>
</div>
<!--# include virtual="/_fragments/promotions/footer.$dateline_variant.html" -->
<!--# include virtual="/_fragments/footer.html" -->
</body>
</html>
"""


def hugo_site(folder: Path, count: int) -> tuple[int, list[tuple[str, str]]]:
    """Write (once) a Hugo site of the archive's stories: one markdown file per article
    placement of SpaceWar and the other sites, front matter for every field the page
    shows; returns (pages, a sample of (url, host))."""
    from django.db import connection

    from dateline.network.models import Site

    marker = folder / ".complete"
    sample_file = folder / "sample.json"
    if marker.is_file() and json.loads(marker.read_text())["count"] == count:
        return count, [tuple(x) for x in json.loads(sample_file.read_text())]
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT)
    site = Site.objects.get(host=HOST)
    sections = [
        {"slug": slug, "name": name}
        for slug, name in site.sections.order_by("order", "name").values_list("slug", "name")
    ]
    shell = (PAGES / HOST / "index.html").read_text()
    head_tail = re.search(r'(<link rel="stylesheet".*?)\n</head>', shell, re.S)[1]
    masthead = re.search(r"(<a class=\"skip\".*?)\n  <nav class=\"sections\"", shell, re.S)[1]
    config = {
        "baseURL": f"https://{HOST}/",
        "disableKinds": ["taxonomy", "term", "rss", "sitemap", "404", "robotstxt"],
        "markup": {"goldmark": {"renderer": {"unsafe": True}}},
        "params": {
            "name": site.name,
            "language": site.language,
            "sections": sections,
            "head_tail": head_tail,
            "masthead": masthead,
        },
    }
    (folder / "hugo.json").write_text(json.dumps(config))
    content = folder / "content"
    written, sample = 0, []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.path, s.slug, s.name, st.headline, st.byline, st.dateline_place,"
            " a.code, st.published_at, st.body, st.signoff, st.teaser, ns.host"
            " FROM articles_placement p JOIN articles_story st ON st.id = p.story_id"
            " JOIN network_site ns ON ns.id = p.site_id"
            " JOIN network_agency a ON a.id = st.agency_id"
            " JOIN network_section s ON s.id = p.section_id"
            " WHERE p.is_live ORDER BY p.section_id, p.published_at, p.id"
        )
        previous = {}
        for row in cursor:
            pid, path, slug, name, headline, byline, place, agency, published, body = row[:10]
            signoff, teaser, host = row[10:]
            front = {
                "title": headline, "url": path, "section_slug": slug, "section_name": name,
                "byline": byline, "place": place, "agency": agency, "signoff": signoff,
                "teaser": teaser, "published_iso": str(published),
                "local_date": str(published)[:10],
                "canonical_url": f"https://{HOST}{path}",
                "structured_data": json.dumps({"@type": "NewsArticle", "headline": headline}),
                "previous": previous.get(slug),
            }  # fmt: skip
            file = content / slug / f"{pid}.md"
            file.parent.mkdir(parents=True, exist_ok=True)
            # Raw HTML bodies pass through goldmark (unsafe); the wire copy is paragraphs.
            file.write_text(json.dumps(front) + "\n\n" + body + "\n")
            previous[slug] = {"path": path, "headline": headline, "teaser": teaser}
            written += 1
            if written % 97 == 0 and host == HOST:
                sample.append((path, host))
    sample_file.write_text(json.dumps(sample[:50]))
    marker.write_text(json.dumps({"count": count}))
    return count, sample[:50]


def hugo_build(folder: Path) -> float:
    out = VAR / "hugo-public"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [shutil.which("hugo", path=os.path.dirname(sys.executable)) or "hugo", "--quiet",
         "--source", str(folder), "--destination", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def _text_lines(html: str) -> list[str]:
    return [line.strip() for line in html.splitlines() if line.strip()]


def hugo_diff(sample) -> tuple[float, int]:
    """Mean line similarity of Hugo's pages and our baked shells for ``sample``, and
    how many are identical."""
    ratios, same = [], 0
    for path, host in sample:
        ours = PAGES / host / path.strip("/") / "index.html"
        theirs = VAR / "hugo-public" / path.strip("/") / "index.html"
        if not (ours.is_file() and theirs.is_file()):
            continue
        a, b = _text_lines(ours.read_text()), _text_lines(theirs.read_text())
        ratios.append(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio())
        same += a == b
    return (statistics.mean(ratios) if ratios else 0.0), same


# -- 1-3. serving ---------------------------------------------------------------------


class Nginx:
    def __init__(self, name: str, sites_conf: str):
        self.prefix = VAR / f"nginx-{name}"
        shutil.rmtree(self.prefix, ignore_errors=True)
        (self.prefix / "logs").mkdir(parents=True)
        self.port = _free_port()
        (self.prefix / "sites.conf").write_text(sites_conf.replace("{port}", str(self.port)))
        (self.prefix / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 2;\npid {self.prefix}/nginx.pid;\n"
            f"error_log {self.prefix}/logs/error.log;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n  access_log off;\n  include {self.prefix}/sites.conf;\n}}\n"
        )
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
             "-g", "daemon off;"],
        )  # fmt: skip
        _wait_port(self.port, self.process)

    def stop(self):
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=20)


class Granian:
    def __init__(self, **env):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [shutil.which("granian", path=os.path.dirname(sys.executable)), "--interface",
             "wsgi", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2",
             "--blocking-threads", "1", "--log-level", "error", "dateline.wsgi:application"],
            env=_env(**env), cwd=ROOT,
        )  # fmt: skip
        _wait_port(self.port, self.process)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def _fetch(port: int, path: str) -> tuple[int, bytes]:
    import httpx

    response = httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Host": HOST}, timeout=30)
    return response.status_code, response.content


def serving(article: str, miss_paths: list[str], *, rounds: int, duration: int) -> None:
    from dateline.network.models import Site

    ours = Nginx("ours", _shipped_conf(Site.objects.filter(host=HOST)))
    status, body = _fetch(ours.port, article)
    assert status == 200 and b"<!--#" not in body, status
    bare_root = VAR / "nginx-bare-root"
    (bare_root / "page").mkdir(parents=True, exist_ok=True)
    (bare_root / "page" / "index.html").write_bytes(body)
    bare = Nginx(
        "bare",
        "server {\n  listen 127.0.0.1:{port};\n  root " + str(bare_root) + ";\n  sendfile on;\n}\n",
    )
    hit = Granian()
    miss = Granian(DATELINE_PAGE_DIR="")
    script = VAR / "bake-miss.lua"
    script.write_text(
        "paths = {" + ",".join(f'"{p}"' for p in miss_paths) + "}\n"
        "counter = math.random(#paths)\n"
        "request = function()\n  counter = counter % #paths + 1\n"
        '  return wrk.format("GET", paths[counter])\nend\n'
    )
    try:
        status, hit_body = _fetch(hit.port, article)
        assert status == 200 and len(hit_body) > 0.9 * len(body), (status, len(hit_body))
        assert _fetch(miss.port, miss_paths[0])[0] == 200
        results = {"ours": [], "bare": [], "hit": [], "miss": []}
        for _ in range(rounds):
            results["bare"].append(wrk(bare.port, "/page/", duration=duration))
            results["ours"].append(wrk(ours.port, article, duration=duration))
            results["hit"].append(wrk(hit.port, article, duration=duration))
            results["miss"].append(wrk(miss.port, "/", duration=duration, script=script))
    finally:
        for server in (ours, bare, hit, miss):
            server.stop()
    med = {name: statistics.median(values) for name, values in results.items()}
    print(
        f"\nserving one article page ({len(body):,} bytes assembled), wrk -t2 -c64 -d{duration}s,"
    )
    print(f"{rounds} interleaved rounds, medians (req/s); no Accept-Encoding, so no gzip\n")
    rows = [
        ("bare nginx, plain file of the same bytes (ref)", "bare", "bare", ""),
        ("nginx, shipped config (SSI, host, 410 check)", "ours", "bare", "target >= 0.9"),
        ("granian + PageCache, cache hit", "hit", "ours", "target >= 0.3 of nginx"),
        ("granian, cache off, a different article each", "miss", "ours", "of nginx"),
    ]
    for label, name, ref, note in rows:
        values = " ".join(f"{v:,.0f}" for v in results[name])
        print(f"{label:<48}{med[name]:>9,.0f}  x{med[name] / med[ref]:.2f} {note:<24} [{values}]")
    print(f"cache miss vs cache hit: x{med['miss'] / med['hit']:.3f}")


def _shipped_conf(sites) -> str:
    from dateline.bake import nginx
    from dateline.bake.store import PageStore

    return nginx.nginx_conf(
        PageStore(PAGES), sites, listen="127.0.0.1:{port}", static_root="",
        internal=f"unix:{VAR / 'nginx-ours-ssi.sock'}", cache_dir=VAR / "nginx-ours-cache",
    )  # fmt: skip


# -- 5. publish to live ---------------------------------------------------------------


def publish_to_live(count: int) -> None:
    from django.utils import timezone

    from dateline.articles import services
    from dateline.network.models import Agency, Section

    section = Section.objects.get(site__host=HOST, slug="missiles")
    agency = Agency.objects.get(code="AFP")
    site_dir = PAGES / HOST
    watched = [site_dir / "index.html", site_dir / "missiles" / "index.html"]
    worker = subprocess.Popen(
        [sys.executable, "-m", "dateline", "worker", "--queue", "pages"],  # as `serve` runs it
        env=_env(DATELINE_BAKE="1"),
        cwd=ROOT,
    )
    time.sleep(3)  # the worker's startup
    latencies, calls, stories = [], [], []
    try:
        for n in range(count):
            before = [file.stat().st_mtime_ns for file in watched]
            started = time.perf_counter()
            story = services.story_create(
                headline=f"Bench publish {n} at {timezone.now():%H:%M:%S.%f}",
                agency=agency, body="<p>First paragraph.</p><p>Second.</p>",
                sections=[section], dateline_place="Paris", publish=True,
            )  # fmt: skip
            calls.append(time.perf_counter() - started)
            stories.append(story)
            page = site_dir / story.placements.get().path.strip("/") / "index.html"
            deadline = started + 30
            while time.perf_counter() < deadline:
                if page.is_file() and all(
                    file.stat().st_mtime_ns != mtime
                    for file, mtime in zip(watched, before, strict=True)
                ):
                    break
                time.sleep(0.005)
            else:
                raise RuntimeError(f"publish {n}: not on disk after 30 s")
            latencies.append(time.perf_counter() - started)
            time.sleep(0.5)  # publishes arrive at a desk's pace, not all at once
    finally:
        for story in stories:
            services.story_delete(story=story)
        time.sleep(2.5)  # the worker re-bakes what the deletions touched
        worker.terminate()
        worker.wait(timeout=30)
    print(f"\npublish to live in bake mode ({count} publishes, worker polling every 0.25 s)")
    print(f"publish call itself (ref)            {statistics.median(calls) * 1e3:>8.0f} ms median")
    print(
        f"call -> article, front, home on disk {statistics.median(latencies) * 1e3:>8.0f} ms median"
        f"  (max {max(latencies) * 1e3:.0f} ms; target <= 1000 ms)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench bake")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--publishes", type=int, default=10)
    parser.add_argument("--only", choices=["bake", "serve", "publish"], action="append")
    args = parser.parse_args(argv)
    only = set(args.only or ["bake", "serve", "publish"])

    os.environ.update(_env(DATELINE_BAKE="1"))
    import django

    django.setup()
    from bench.pages import build_archive
    from dateline.articles.models import Placement

    total = build_archive(args.stories)
    print(f"\nArchive: {total} stories on SQLite ({VAR / 'pages.sqlite3'}); pages in {PAGES}")
    if "bake" in only or not (PAGES / HOST / "index.html").is_file():
        seconds, pages = bake(args.processes)
        hugo_pages, sample = hugo_site(
            VAR / "hugo-site", Placement.objects.filter(is_live=True).count()
        )
        hugo_seconds = hugo_build(VAR / "hugo-site")
        similarity, identical = hugo_diff(sample)
        ours_rate, hugo_rate = pages / seconds, hugo_pages / hugo_seconds
        print(f"\nfull bake, same disk ({VAR}), {os.cpu_count()} cores")
        print(
            f"Hugo 0.168 (ref), {hugo_pages:,} article pages   {hugo_seconds:>7.1f} s {hugo_rate:>8,.0f} pages/s"
        )
        print(
            f"dateline bake --processes {args.processes}, {pages:,} pages {seconds:>7.1f} s "
            f"{ours_rate:>8,.0f} pages/s  x{ours_rate / hugo_rate:.2f} (target >= 0.5)"
        )
        print(
            f"Hugo's pages vs our shells, {len(sample)} sampled: mean line similarity "
            f"{similarity:.2f}, {identical} identical"
        )
    if "serve" in only:
        live = Placement.objects.filter(site__host=HOST, is_live=True).order_by("-published_at")
        article = live.values_list("path", flat=True)[1000]
        misses = list(live.values_list("path", flat=True)[2000:22000])
        serving(article, misses, rounds=args.rounds, duration=args.duration)
    if "publish" in only:
        publish_to_live(args.publishes)


if __name__ == "__main__":
    main(sys.argv[1:])
