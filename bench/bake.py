"""The static bake at 100,000 stories (the archive of bench/pages.py, under var/bench/).

Prints, each beside a reference measured in the same run:

1. nginx with the shipped configuration (`dateline bake --nginx-conf`) serving a baked
   article page, against a bare nginx serving a plain file of the assembled page's bytes;
2. a cache hit through granian and the page cache's WSGI front, against that nginx rate;
3. cache misses (every request a different article, page cache off) through granian;
4. a full `dateline bake --processes 2`, against Hugo building the same stories from
   markdown with a layout that writes our article shell byte for byte (100 pages compared);
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


def _emptied(folder: Path) -> None:
    """Remove ``folder`` so that a timed build starts from nothing; a link is refused
    (rmtree would leave it, and the build would only rewrite what changed)."""
    if folder.is_symlink():
        raise SystemExit(
            f"{folder} is a symbolic link: make it a plain folder to time a full build"
        )
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        raise SystemExit(f"{folder} could not be emptied")


def bake(processes: int) -> tuple[float, int]:
    """(seconds, pages) of a full bake into an empty folder."""
    _emptied(PAGES)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dateline", "bake", "--quiet", "--processes", str(processes)],
        env=_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, int(re.search(r"baked (\d+) pages", out)[1])


HUGO_LAYOUT = Path(__file__).parent / "hugo" / "single.shell.html"
# Our article shell, from the stories' fields; Go's text/template (a plain-text output
# format) with explicit htmlEscape where Jinja escapes, since html/template escapes by
# context ("+" as "&#43;", URLs normalised) and would differ from markupsafe.
HUGO_CONFIG = {
    "disableKinds": ["home", "section", "taxonomy", "term", "rss", "sitemap", "404", "robotstxt"],
    "markup": {"goldmark": {"renderer": {"unsafe": True}}},
    "outputFormats": {
        "shell": {"mediaType": "text/html", "baseName": "index", "isPlainText": True}
    },
    "outputs": {"page": ["shell"]},
}


def hugo_site(folder: Path) -> tuple[int, list[tuple[str, str]]]:
    """Write (once per archive) a Hugo site of the archive's stories: one markdown file
    per live placement of every site, with front matter for each field its page shows,
    and each site's settings (name, sections, related links, the support appeal as our
    templates render it once per site) in params; returns (pages, a sample of (path,
    host) to diff). Hugo writes each page to <host>/<path>/index.html, as our bake does."""
    from django.db import connection
    from django.db.models import Count
    from django.template.loader import render_to_string

    from dateline.articles.models import Placement
    from dateline.comments.models import Comment, SiteComments
    from dateline.comments.selectors import comment_settings_for
    from dateline.jinja2env import static_url
    from dateline.network.models import Site, public_base_url
    from dateline.sql import aware

    count = Placement.objects.filter(is_live=True).count()
    stamp = {"count": count, "layout": HUGO_LAYOUT.read_text(), "config": HUGO_CONFIG}
    marker, sample_file = folder / ".complete", folder / "sample.json"
    if marker.is_file() and json.loads(marker.read_text()) == stamp:
        return count, [tuple(x) for x in json.loads(sample_file.read_text())]
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "layouts" / "_default").mkdir(parents=True)
    shutil.copy(HUGO_LAYOUT, folder / "layouts" / "_default" / "single.shell.html")
    sites, hosts = {}, {}
    for site in Site.objects.order_by("id"):
        sections = list(site.sections.order_by("order", "name"))
        comments = comment_settings_for(site)
        hosts[site.id] = site.host
        sites[site.slug] = {
            "name": site.name, "language": site.language, "time_zone": site.time_zone,
            "tagline": site.tagline, "logo_url": site.base_url + static_url("dateline/favicon.svg"),
            "stylesheet": static_url("dateline/site.css"),
            "icon": static_url("dateline/favicon.svg"),
            "share_js": static_url("comments/share.js"),
            "sections": [{"slug": x.slug, "name": x.name} for x in sections],
            "related": {
                x.slug: [[link.title, link.url] for link in x.related_links.order_by("order", "id")]
                for x in sections
            },
            "support": render_to_string("support/region.html", {"site": site}),
            "comments": comments.mode,
            "premoderated": comments.moderation == SiteComments.Moderation.PRE,
        }  # fmt: skip
    (folder / "hugo.json").write_text(
        json.dumps({"baseURL": "https://localhost/", **HUGO_CONFIG, "params": {"sites": sites}})
    )
    published = Comment.objects.filter(status=Comment.Status.APPROVED)
    comment_counts = {
        (site_id, story_id): n
        for site_id, story_id, n in published.values_list("site_id", "story_id").annotate(
            n=Count("id")
        )
    }
    content = folder / "content"
    written, sample = 0, []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.story_id, ns.host, c.path FROM articles_placement c"
            " JOIN network_site ns ON ns.id = c.site_id WHERE c.is_canonical"
        )
        canonical = {story_id: public_base_url(host) + path for story_id, host, path in cursor}
        cursor.execute(
            "SELECT p.id, p.path, p.site_id, ns.slug, s.id, s.slug, s.name, st.id,"
            " st.headline, st.byline, st.dateline_place, a.code, st.published_at,"
            " st.updated_at, st.body, st.signoff, st.teaser, p.published_at"
            " FROM articles_placement p JOIN articles_story st ON st.id = p.story_id"
            " JOIN network_site ns ON ns.id = p.site_id"
            " JOIN network_agency a ON a.id = st.agency_id"
            " JOIN network_section s ON s.id = p.section_id"
            " WHERE p.is_live ORDER BY p.section_id, p.published_at, p.id"
        )
        previous = {}  # section id -> the placement before, as "previous story" shows it
        for row in cursor:
            pid, path, site_id, site_slug, section_id, slug, name, story_id = row[:8]
            headline, byline, place, agency, published, updated, body = row[8:15]
            signoff, teaser, listed = row[15:]
            host = hosts[site_id]
            front = {
                "title": headline, "url": f"/{host}{path}", "site": site_slug,
                "section_slug": slug, "section_name": name, "byline": byline,
                "place": place, "agency": agency, "signoff": signoff, "teaser": teaser,
                "date": aware(published).isoformat(),
                "updated": updated and aware(updated).isoformat(),
                "canonical_url": canonical.get(story_id, public_base_url(host) + path),
                "placement_id": str(pid),
                "comments": str(comment_counts.get((site_id, story_id), 0)),
                "previous": previous.get(section_id),
            }  # fmt: skip
            file = content / site_slug / slug / f"{pid}.md"
            file.parent.mkdir(parents=True, exist_ok=True)
            # Raw HTML bodies pass through goldmark (unsafe); the wire copy is paragraphs.
            file.write_text(json.dumps(front) + "\n\n" + body)
            previous[section_id] = {
                "path": path, "headline": headline, "teaser": teaser, "place": place,
                "agency": agency, "date": aware(listed).isoformat(),
            }  # fmt: skip
            written += 1
            if written % 97 == 0:
                sample.append((path, host))
    sample = sample[:: max(1, len(sample) // 100)][:100]
    sample_file.write_text(json.dumps(sample))
    marker.write_text(json.dumps(stamp))
    return written, sample


def hugo_build(folder: Path) -> float:
    out = VAR / "hugo-public"
    _emptied(out)
    started = time.perf_counter()
    subprocess.run(
        [shutil.which("hugo", path=os.path.dirname(sys.executable)) or "hugo", "--quiet",
         "--source", str(folder), "--destination", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def hugo_diff(sample) -> tuple[int, int, list[str]]:
    """(pages compared, identical, a unified diff of the first that differs) of Hugo's
    pages and our baked shells for ``sample``."""
    compared, same, first_diff = 0, 0, []
    for path, host in sample:
        ours = PAGES / host / path.strip("/") / "index.html"
        theirs = VAR / "hugo-public" / host / path.strip("/") / "index.html"
        if not (ours.is_file() and theirs.is_file()):
            continue
        compared += 1
        a, b = ours.read_bytes(), theirs.read_bytes()
        same += a == b
        if a != b and not first_diff:
            first_diff = list(
                difflib.unified_diff(
                    a.decode().splitlines(), b.decode().splitlines(), str(ours), str(theirs),
                    lineterm="", n=1,
                )
            )[:40]  # fmt: skip
    return compared, same, first_diff


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
        hugo_pages, sample = hugo_site(VAR / "hugo-site")
        os.sync()  # each build starts without the other's writes still to flush
        seconds, pages = bake(args.processes)
        os.sync()
        hugo_seconds = hugo_build(VAR / "hugo-site")
        compared, identical, first_diff = hugo_diff(sample)
        ours_rate, hugo_rate = pages / seconds, hugo_pages / hugo_seconds
        print(f"\nfull bake, same disk ({VAR}), {os.cpu_count()} cores, load average "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()))  # fmt: skip
        print(
            f"Hugo 0.168 (ref), {hugo_pages:,} article pages   {hugo_seconds:>7.1f} s {hugo_rate:>8,.0f} pages/s"
        )
        print(
            f"dateline bake --processes {args.processes}, {pages:,} pages {seconds:>7.1f} s "
            f"{ours_rate:>8,.0f} pages/s  x{ours_rate / hugo_rate:.2f} (target >= 0.5)"
        )
        print(
            f"Hugo's article pages vs our baked shells: {identical} of {compared} sampled "
            "byte for byte identical"
        )
        if first_diff:
            print("first difference:\n" + "\n".join(first_diff))
    if "serve" in only:
        live = Placement.objects.filter(site__host=HOST, is_live=True).order_by("-published_at")
        article = live.values_list("path", flat=True)[1000]
        misses = list(live.values_list("path", flat=True)[2000:22000])
        serving(article, misses, rounds=args.rounds, duration=args.duration)
    if "publish" in only:
        publish_to_live(args.publishes)


if __name__ == "__main__":
    main(sys.argv[1:])
