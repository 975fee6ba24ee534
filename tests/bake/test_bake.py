"""The static bake: `dateline bake`, re-baking in place from the worker, atomic files,
and the shipped nginx configuration serving the result."""

import re
import shutil
import threading

import httpx
import pytest
from django.core.management import call_command

from dateline.articles import services
from dateline.bake.store import write_if_changed
from dateline.worker import runner
from tests.bake.conftest import stored_files, without_promotions

pytestmark = pytest.mark.django_db

HOST = "spacewar.localhost"


@pytest.fixture
def bake_mode(store, settings):
    settings.DATELINE_BAKE = True
    return store


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def run_worker():
    runner.Worker(
        queue_names=["default", "pages"], interval=0.05, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="bake-test-worker",
        excluded_queue_names=[], lease_seconds=30,
    ).run()  # fmt: skip


def assembled(store, host, relative) -> str:
    """A baked page with its SSI includes filled (variant 0), as nginx would serve it."""
    shell = (store.root / host / relative).read_text()

    def fill(match):
        name = match[1].replace("$dateline_variant", "0")
        return (store.root / host / "_fragments" / name).read_text()

    return re.sub(r'<!--# include virtual="/_fragments/([^"]+)" -->', fill, shell)


class BakeCommandTests:
    def test_bakes_every_public_page_feed_and_sitemap(self, publish, store, fetch, sections):
        """Every page, feed and sitemap of every site is baked, and each baked page is the
        page Django serves."""
        story = publish("Forces retake the town", hours_ago=3)
        drone = publish("A drone story", section="drones", hours_ago=2)
        withdrawn = publish("A story that was withdrawn", hours_ago=1)
        services.story_withdraw(story=withdrawn, notice="Withdrawn at the agency's request.")
        call_command("bake", "--quiet")
        site = store.root / HOST
        day = story.published_at.strftime("%Y/%m/%d")
        for relative in [
            "index.html", "privacy/index.html", "archive/index.html",
            f"archive/{day}/index.html", f"archive/{day[:7]}/index.html",
            "iraq-wars/index.html", "drones/index.html", "missiles/index.html",
            story.placements.get().path.strip("/") + "/index.html",
            drone.placements.get().path.strip("/") + "/index.html",
            "_gone/" + withdrawn.placements.get().path.strip("/") + "/index.html",
            "feeds/rss/index.rss", "feeds/atom/index.atom", "feeds/drones/rss/index.rss",
            "feeds/network/rss/index.rss", "feeds/network/atom/index.atom",
            "sitemap.xml", "sitemap-news.xml", "sitemap-fronts.xml",
            f"sitemap-{story.published_at:%Y-%m}.xml", "robots.txt",
            "_fragments/footer.html", "_fragments/headlines/drones.html",
            "_fragments/promotions/sidebar.0.html", "_errors/404.html",
        ]:  # fmt: skip
            assert (site / relative).is_file(), relative
        assert (store.root / "spacedaily.localhost" / "satellites/index.html").is_file()
        assert not (site / withdrawn.placements.get().path.strip("/") / "index.html").exists()
        path = story.placements.get().path
        served = fetch(path).content.decode()
        baked = assembled(store, HOST, path.strip("/") + "/index.html")
        assert without_promotions(baked) == without_promotions(served)
        assert (site / "feeds/rss/index.rss").read_bytes() == fetch("/feeds/rss/").content

    def test_the_fast_path_writes_what_the_view_renders(self, publish, store, sections):
        """Article pages baked in chunks (dateline/bake/articles.py) are byte for byte the
        pages Django's handler renders: previous story, canonical link to another
        section, related links, a commented story."""
        from dateline.bake.articles import bake_articles
        from dateline.bake.baking import render_page
        from dateline.comments.services import comment_submit

        stories = [
            publish("The oldest story", hours_ago=9),
            publish("A drone story", section="drones", hours_ago=8),
            publish("On two sections", hours_ago=7, extra_sections=["drones"]),
            publish("A story with a comment", hours_ago=6),
            publish("The newest story", hours_ago=5),
        ]
        placement = stories[3].placements.get()
        comment_submit(
            site=placement.site, story_id=stories[3].id, parent=None, author_name="A",
            author_email="a@example.org", body="Text.", verified=True,
            ip_address="192.0.2.1", user_agent="Browser/1.0",
        )  # fmt: skip
        site = placement.site
        paths = [p.path for s in stories for p in s.placements.all() if p.site_id == site.id]
        assert len(paths) == 6
        baked = bake_articles(site, paths, store=store)
        assert baked.slow == []
        for path in paths:
            rendered = render_page(HOST, path)
            assert rendered.status == 200
            file = store.page_file(HOST, path)
            assert file.read_bytes() == rendered.body, path

    def test_the_output_is_the_progress_and_a_summary(
        self, publish, store, caplog, tmp_path, settings
    ):
        """A bake logs no request line per page, ends with one summary line, and warns
        when it writes an nginx configuration for a store that is not in bake mode."""
        import io
        import logging

        publish("Forces retake the town")
        settings.DATELINE_BAKE = False
        out, err = io.StringIO(), io.StringIO()
        level = logging.getLogger("dateline.request").level
        with caplog.at_level(logging.INFO, logger="dateline.request"):
            call_command(
                "bake", "--quiet", "--site", HOST, "--nginx-conf", str(tmp_path / "n.conf"),
                stdout=out, stderr=err,
            )  # fmt: skip
        assert not [r for r in caplog.records if r.name == "dateline.request"]
        assert logging.getLogger("dateline.request").level == level  # as it was
        assert re.search(r"^baked \d+ pages of 1 site into ", out.getvalue(), re.M)
        assert "DATELINE_BAKE is not set" in err.getvalue()

    def test_a_second_bake_rewrites_nothing(self, publish, store):
        """Baking an unchanged network again leaves every file as it was (inode, mtime)."""
        publish("Forces retake the town")
        call_command("bake", "--quiet")
        before = stored_files(store)
        call_command("bake", "--quiet")
        after = stored_files(store)
        changed = {name for name in before if after.get(name) != before[name]}
        # Only the promotion draws are drawn again.
        assert all(name.startswith("_fragments/promotions/") for name in changed), changed

    def test_a_deleted_story_leaves_the_bake(self, publish, store):
        """A full bake removes the files of what the site no longer has."""
        story = publish("Forces retake the town")
        call_command("bake", "--quiet")
        page = store.root / HOST / story.placements.get().path.strip("/") / "index.html"
        assert page.is_file()
        services.story_delete(story=story)
        call_command("bake", "--quiet")
        assert not page.exists()


class SharedRegionTests:
    def test_a_shared_region_is_rendered_once_per_key_in_a_bake(self):
        """`{% shared key %}` renders every time for a view, and once per key when the
        render's context holds ``shared_regions`` (as the baker's fast path does)."""
        from django.template import engines

        template = engines["jinja2"].env.from_string(
            '{% shared "parity", n % 2, [n % 2] %}{{ render(n) }}{% endshared %}|{{ n }}'
        )
        rendered = []

        def render(n):
            rendered.append(n)
            return f"region of {n}"

        pages = [template.render(n=n, render=render) for n in (1, 2, 3)]
        assert pages == ["region of 1|1", "region of 2|2", "region of 3|3"]
        assert rendered == [1, 2, 3]
        rendered.clear()
        regions = {}
        pages = [template.render(n=n, render=render, shared_regions=regions) for n in (1, 2, 3)]
        assert pages == ["region of 1|1", "region of 2|2", "region of 1|3"]
        assert rendered == [1, 2]


@pytest.mark.django_db(transaction=True)  # forked processes read what the test wrote
class ParallelBakeTests:
    def test_several_processes_bake_what_one_does(self, publish, store, tmp_path):
        """`bake --processes 2` (pages and article chunks spread over forked processes)
        writes the same files, byte for byte, as one process."""
        for n, section in enumerate(["iraq-wars", "drones", "missiles"] * 3):
            publish(f"Story number {n}", section=section, hours_ago=n * 7 + 1)

        def files(root):
            return {
                str(p.relative_to(root)): p.read_bytes()
                for p in root.rglob("*")
                if p.is_file() and p.name not in ("generation", "lock")
            }

        call_command("bake", "--quiet", "--out", str(tmp_path / "one"))
        call_command("bake", "--quiet", "--processes", "2", "--out", str(tmp_path / "two"))
        one, two = files(tmp_path / "one"), files(tmp_path / "two")
        assert len(one) > 40 and one.keys() == two.keys()
        differ = {name for name in one if one[name] != two[name]}
        # Only the promotion draws are drawn again.
        assert all("/_fragments/promotions/" in name for name in differ), differ


@pytest.mark.django_db(transaction=True)
class RebakeTests:
    def test_publish_rewrites_exactly_the_files_it_affects(self, publish, bake_mode, sections):
        """After a publish the worker rewrites exactly the article, its fronts, blocks,
        archive pages, feeds and sitemaps; every other file keeps its inode and mtime."""
        older = publish("The older story", hours_ago=30)
        publish("A drone story", section="drones", hours_ago=20)
        run_worker()
        call_command("bake", "--quiet")
        before = stored_files(bake_mode)
        new = publish("A new story in the section", hours_ago=0)
        run_worker()
        after = stored_files(bake_mode)
        rewritten = {name for name in after if before.get(name) != after[name]}
        path = new.placements.get().path.strip("/")
        day = new.published_at.strftime("%Y/%m/%d")
        # The sitemap index and the archive index list months: this one is there already.
        assert rewritten == {
            f"{path}/index.html",
            "index.html",
            "iraq-wars/index.html",
            f"archive/{day[:7]}/index.html",
            f"archive/{day}/index.html",
            "feeds/rss/index.rss",
            "feeds/atom/index.atom",
            "feeds/iraq-wars/rss/index.rss",
            "feeds/iraq-wars/atom/index.atom",
            "feeds/network/rss/index.rss",
            "feeds/network/atom/index.atom",
            f"sitemap-{new.published_at:%Y-%m}.xml",
            "sitemap-news.xml",
            "_fragments/headlines/iraq-wars.html",
        }
        # The older story's page does not change: it is "previous" for the new one.
        assert f"{older.placements.get().path.strip('/')}/index.html" not in rewritten
        assert (
            "A new story in the section"
            in (bake_mode.root / HOST / "_fragments/headlines/iraq-wars.html").read_text()
        )

    def test_withdraw_moves_the_page_to_gone(self, publish, bake_mode):
        """A withdrawn story's baked page becomes its 410 page."""
        story = publish("A story to withdraw")
        call_command("bake", "--quiet")
        relative = story.placements.get().path.strip("/") + "/index.html"
        services.story_withdraw(story=story, notice="Withdrawn: the agency killed it.")
        run_worker()
        assert not (bake_mode.root / HOST / relative).exists()
        gone = (bake_mode.root / HOST / "_gone" / relative).read_text()
        assert "Withdrawn: the agency killed it." in gone

    def test_a_reader_never_sees_a_partial_file(self, tmp_path):
        """While a file is rewritten over and over, every read gets one whole version."""
        target = tmp_path / "page.html"
        versions = [(f"<p>version {n}</p>" * (2000 + 500 * n)).encode() for n in range(4)]
        write_if_changed(target, versions[0])
        stop = threading.Event()
        seen, bad = set(), []

        def reader():
            while not stop.is_set():
                data = target.read_bytes()
                if data in versions:
                    seen.add(versions.index(data))
                else:
                    bad.append(len(data))

        thread = threading.Thread(target=reader)
        thread.start()
        for n in range(400):
            write_if_changed(target, versions[n % 4])
        stop.set()
        thread.join()
        assert not bad
        assert len(seen) > 1


class NginxTests:
    def test_the_shipped_config_serves_the_bake(self, publish, store, nginx, committed, sections):
        """nginx serves each site at its host with the fragments included, the security
        headers, compression, the right types, 410 for a withdrawn story and the baked 404."""
        story = publish("Forces retake the town", hours_ago=2)
        withdrawn = publish("A story to withdraw", hours_ago=1)
        services.story_withdraw(story=withdrawn, notice="Withdrawn at the agency's request.")
        call_command("bake", "--quiet")
        client = nginx()
        war = {"Host": HOST}
        page = client.get(story.placements.get().path, headers=war)
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert "<!--#" not in page.text
        assert "Forces retake the town" in page.text
        assert "Missiles" in page.text  # a headline block, from its fragment
        assert "Copyright" in page.text  # the footer fragment
        assert page.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in page.headers["content-security-policy"]
        home = client.get("/", headers={"Host": "spacedaily.localhost"})
        assert "SpaceDaily" in home.text and "Satellites" in home.text
        gone = client.get(withdrawn.placements.get().path, headers=war)
        assert gone.status_code == 410
        assert (
            "Withdrawn at the agency&#39;s request." in gone.text or "agency's request" in gone.text
        )
        missing = client.get("/no-such-page/", headers=war)
        assert missing.status_code == 404 and "SpaceWar" in missing.text
        assert client.get("/_fragments/footer.html", headers=war).status_code == 404
        assert client.get("/_meta/headers.json", headers=war).status_code == 404
        feed = client.get("/feeds/rss/", headers={**war, "Accept-Encoding": "gzip"})
        assert feed.headers["content-type"].startswith("application/rss+xml")
        assert feed.headers["content-encoding"] == "gzip"
        assert "Forces retake the town" in feed.text
        sitemap = client.get("/sitemap.xml", headers=war)
        assert sitemap.status_code == 200 and "<sitemapindex" in sitemap.text
        # Feeds and sitemaps keep nginx's validators (docs/deploy.md); SSI pages have none.
        for validator, condition in (
            ("etag", "If-None-Match"),
            ("last-modified", "If-Modified-Since"),
        ):
            value = feed.headers[validator]
            again = client.get("/feeds/rss/", headers={**war, condition: value})
            assert again.status_code == 304, validator
        assert "etag" not in page.headers and "last-modified" not in page.headers
        # A host name that is no site gets nothing (nginx closes the connection).
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/", headers={"Host": "elsewhere.example"})

    def test_a_missing_fragment_is_an_empty_region(self, publish, store, nginx, sections):
        """A fragment file that is not there (a re-bake under way, a store purged by a
        process not in bake mode) leaves its region empty; it never turns into the 404
        page, whose own includes would recurse without end."""
        story = publish("Forces retake the town", hours_ago=2)
        call_command("bake", "--quiet")
        for name in ("promotions", "headlines"):
            shutil.rmtree(store.root / HOST / "_fragments" / name)
        (store.root / HOST / "_fragments" / "footer.html").unlink()
        client = nginx()
        for path in (story.placements.get().path, "/", "/no-such-page/"):
            page = client.get(path, headers={"Host": HOST}, timeout=10)
            assert page.status_code == (404 if path == "/no-such-page/" else 200), path
            assert "SpaceWar" in page.text and "Copyright" not in page.text, path
        assert "Forces retake the town" in client.get("/", headers={"Host": HOST}).text
