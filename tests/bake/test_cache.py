"""The full-page cache: shells and fragments stored on a miss, hits answered before
Django, exact purges after every change."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.articles import services
from dateline.bake import regions
from tests.bake.conftest import stored_files, without_promotions

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(publish, django_capture_on_commit_callbacks):
    """Publish, and run the on-commit purges as a real commit would."""

    def make(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return publish(*args, **kwargs)

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


HOST = "spacewar.localhost"


class PageStoreTests:
    def test_a_miss_stores_the_shell_and_its_fragments(self, publish, wsgi, store):
        """The first view stores the page as a shell with SSI directives, and each fragment once."""
        story = publish("Forces retake the town")
        path = story.placements.get().path
        response = wsgi(path)
        assert response.status == 200
        assert b"<!--#" not in response.body  # the reader gets the assembled page
        assert b"Forces retake the town" in response.body
        shell = (store.root / HOST / path.lstrip("/") / "index.html").read_bytes()
        assert b'<!--# include virtual="/_fragments/headlines/missiles.html" -->' in shell
        assert b'<!--# include virtual="/_fragments/footer.html" -->' in shell
        assert b"/_fragments/promotions/sidebar.$dateline_variant.html" in shell
        block = (store.root / HOST / "_fragments/headlines/missiles.html").read_bytes()
        assert b"Missiles" in block and block in response.body

    def test_a_hit_is_the_same_page_without_touching_django(self, publish, wsgi, store):
        """A hit gives the bytes Django gave, with its security headers, and runs no query."""
        story = publish("Forces retake the town")
        path = story.placements.get().path
        miss = wsgi(path)
        with CaptureQueriesContext(connection) as queries:
            hit = wsgi(path)
        assert len(queries) == 0
        assert without_promotions(hit.body) == without_promotions(miss.body)
        for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
            assert hit.headers[header] == miss.headers[header]
        assert hit.headers["Content-Type"].startswith("text/html")
        assert "ETag" in hit.headers and "Last-Modified" in hit.headers

    def test_feeds_and_sitemaps_are_stored_with_their_types(self, publish, wsgi, store):
        """Feeds and sitemaps are stored under names that carry their type, and hit with it."""
        publish("Forces retake the town")
        for path, kind in [
            ("/feeds/rss/", "application/rss+xml"),
            ("/feeds/atom/", "application/atom+xml"),
            ("/sitemap.xml", "application/xml"),
            ("/robots.txt", "text/plain"),
        ]:
            miss = wsgi(path)
            hit = wsgi(path)
            assert miss.status == hit.status == 200, path
            assert hit.body == miss.body, path
            assert hit.headers["Content-Type"].startswith(kind), path
        assert (store.root / HOST / "feeds/rss/index.rss").is_file()
        assert (store.root / HOST / "feeds/atom/index.atom").is_file()

    def test_conditional_get_on_a_hit(self, publish, wsgi, store):
        """A hit answers 304 to its own ETag or a later If-Modified-Since. A page has one
        ETag whichever answers it (Django on a miss, the cache on a hit) and whichever
        promotion is drawn."""
        story = publish("Forces retake the town")
        path = story.placements.get().path
        for other in ("/feeds/rss/", "/", "/iraq-wars/"):
            first = wsgi(other)
            assert {wsgi(other).headers["ETag"] for _ in range(8)} == {first.headers["ETag"]}
        miss = wsgi(path)
        hit = wsgi(path)
        assert hit.headers["ETag"] == miss.headers["ETag"]
        assert wsgi(path, headers={"If-None-Match": hit.headers["ETag"]}).status == 304
        later = wsgi(path, headers={"If-Modified-Since": hit.headers["Last-Modified"]})
        assert later.status == 304 and later.body == b""
        assert wsgi(path, headers={"If-None-Match": '"other"'}).status == 200

    def test_hits_are_counted_by_status(self, publish, wsgi, store, committed):
        """Hits (200, 304, 410) count in dateline_page_cache_hits_total; a miss does not."""
        from prometheus_client import REGISTRY

        def hits(status):
            value = REGISTRY.get_sample_value("dateline_page_cache_hits_total", {"status": status})
            return value or 0

        story = publish("Forces retake the town")
        path = story.placements.get().path
        before = {status: hits(status) for status in ("200", "304", "410")}
        etag = wsgi(path).headers["ETag"]  # a miss: stored, not counted
        assert hits("200") == before["200"]
        wsgi(path)
        wsgi(path, headers={"If-None-Match": etag})
        with committed():
            services.story_withdraw(story=story)
        wsgi(path)  # the 410 page is stored by this miss
        assert wsgi(path).status == 410
        assert {status: hits(status) - before[status] for status in before} == {
            "200": 1,
            "304": 1,
            "410": 1,
        }

    def test_what_is_not_stored(self, publish, wsgi, store):
        """Query strings, 404s, search and non-GET requests never enter the store."""
        story = publish("Forces retake the town")
        wsgi("/iraq-wars/", query="before=abc")
        wsgi("/no-such-section/")
        wsgi("/search/", query="q=town")
        wsgi(story.placements.get().path, method="HEAD")
        stored = stored_files(store)
        assert not any(name.startswith(("iraq-wars/index", "no-such", "search")) for name in stored)
        assert not any(name.endswith("index.html") and "iraq-wars/20" in name for name in stored)

    def test_hostile_hosts_and_paths_are_not_read(self, publish, wsgi, store):
        """Hosts and paths that are not plain names never reach the file system."""
        publish("Forces retake the town")
        wsgi("/")
        (store.root / "secret.txt").write_text("not for readers")
        for host, path in [
            (HOST, "/../secret.txt"),
            (HOST, "/%2e%2e/secret.txt"),
            ("..", "/secret.txt"),
            ("spacewar.localhost/..", "/secret.txt"),
            (HOST, "/_meta/headers.json"),
            (HOST, "/_fragments/footer.html"),
        ]:
            assert wsgi.app.lookup(host, path) is None, (host, path)

    def test_plain_http_is_redirected_where_django_would(self, publish, wsgi, store, settings):
        """With SSL redirects on, a plain-HTTP request never gets a stored page: Django
        answers it with its redirect; an HTTPS one (by the proxy's header) is a hit."""
        from django.core.handlers.wsgi import WSGIHandler

        from dateline.bake.wsgi import PageCache

        publish("Forces retake the town")
        wsgi("/")
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        wsgi.app = PageCache(WSGIHandler(), store.root)  # Django's middleware reads settings once
        assert wsgi.app.lookup(HOST, "/") is not None  # stored, yet:
        assert wsgi("/").status == 301
        hit = wsgi("/", headers={"X-Forwarded-Proto": "https"})
        assert hit.status == 200 and "ETag" in hit.headers

    def test_unknown_hosts_leave_no_trace(self, wsgi, store, war_site):
        """Requests for hosts that are no site create nothing in the store."""
        for n in range(5):
            wsgi("/", host=f"random-{n}.example")
        wsgi("/", host=HOST)  # a real site
        assert store.hosts() == [HOST]

    def test_an_ssi_directive_in_a_story_is_text(self, publish, wsgi, store):
        """A headline or body that carries an SSI directive cannot include anything."""
        directive = '<!--# include virtual="/_fragments/footer.html" -->'
        story = publish(directive, body=f"<p>x</p>{directive}<p>y</p>")
        path = story.placements.get().path
        wsgi(path)
        shell = (store.root / HOST / path.lstrip("/") / "index.html").read_bytes()
        # Only the template's own directives: one footer include.
        assert shell.count(b'<!--# include virtual="/_fragments/footer.html" -->') == 1


class PurgeTests:
    def test_publish_purges_exactly_the_pages_that_show_the_story(
        self, publish, wsgi, store, sections
    ):
        """A new story purges the fronts, blocks, feeds and sitemaps it appears on, and
        nothing else: other pages keep their files."""
        older = publish("The older story", hours_ago=5)
        other = publish("A drone story", section="drones", hours_ago=4)
        pages = ["/", "/iraq-wars/", "/drones/", "/missiles/", "/archive/", "/feeds/rss/",
                 "/feeds/iraq-wars/rss/", "/feeds/drones/rss/", "/feeds/network/rss/",
                 "/sitemap.xml", "/sitemap-news.xml", "/privacy/",
                 older.placements.get().path, other.placements.get().path]  # fmt: skip
        for path in pages:
            assert wsgi(path).status == 200, path
        before = stored_files(store)
        new = publish("A new story in the section", hours_ago=1)
        after = stored_files(store)
        gone = {name for name in before if name not in after}
        assert gone == {
            "index.html",
            "iraq-wars/index.html",
            "archive/index.html",
            "feeds/rss/index.rss",
            "feeds/iraq-wars/rss/index.rss",
            "feeds/network/rss/index.rss",
            "sitemap.xml",
            "sitemap-news.xml",
            "_fragments/headlines/iraq-wars.html",
        }
        for name in after:
            assert after[name] == before[name], f"{name} was rewritten"
        # And the pages come back with the story.
        assert b"A new story in the section" in wsgi("/").body
        assert b"A new story in the section" in wsgi("/drones/").body  # its sidebar block
        assert wsgi(new.placements.get().path).status == 200

    def test_an_edit_purges_the_next_story_that_links_to_it(self, publish, wsgi, store, committed):
        """The story after an edited one shows it as "previous": its page is purged too."""
        first = publish("First headline", hours_ago=5)
        second = publish("Second story", hours_ago=4)
        path = second.placements.get().path
        assert b"First headline" in wsgi(path).body
        with committed():
            services.story_update(story=first, headline="Corrected headline")
        body = wsgi(path).body
        assert b"Corrected headline" in body and b"First headline" not in body

    def test_withdraw_answers_410_from_the_store(self, publish, wsgi, store, committed):
        """A withdrawn story's page is stored as a 410 and hits answer 410."""
        story = publish("A story to withdraw")
        path = story.placements.get().path
        assert wsgi(path).status == 200
        with committed():
            services.story_withdraw(story=story, notice="The agency withdrew this story.")
        assert wsgi(path).status == 410
        assert (store.root / HOST / "_gone" / path.lstrip("/") / "index.html").is_file()
        assert not (store.root / HOST / path.lstrip("/") / "index.html").exists()
        with CaptureQueriesContext(connection) as queries:
            hit = wsgi(path)
        assert hit.status == 410 and len(queries) == 0
        assert b"The agency withdrew this story." in hit.body

    def test_a_render_older_than_a_purge_is_not_stored(self, publish, store):
        """A page rendered from data read before a purge is discarded, not stored."""
        publish("Forces retake the town")
        target = store.page_file(HOST, "/")
        generation = store.generation(HOST)
        store.purge(HOST, [target])
        assert store.write_if_current(HOST, {target: b"stale"}, generation) is None
        assert not target.exists()
        assert store.write_if_current(HOST, {target: b"fresh"}, store.generation(HOST))
        assert target.read_bytes() == b"fresh"

    def test_pins_purge_their_front(self, publish, wsgi, store, war_site, committed):
        """Pinning a lead purges the home page."""
        from dateline.desk.services import front_pin

        old = publish("An older lead", hours_ago=6)
        publish("The newest story", hours_ago=1)
        wsgi("/")
        with committed():
            front_pin(story=old, site=war_site)
        body = wsgi("/").body.decode()
        assert body.index("An older lead") < body.index("The newest story")


class PromotionTests:
    def test_rotation_and_impressions_on_hits(self, publish, wsgi, store, committed, settings):
        """Hits rotate the baked draws of a slot and count what they show; a changed
        promotion is drawn again."""
        from django.core.cache import cache

        from dateline.promotions import counters, services
        from dateline.promotions.models import Promotion, PromotionDailyStats

        cache.clear()
        counters._pending.clear()
        settings.DATELINE_PROMOTIONS_FLUSH_SECONDS = 3600
        publish("Forces retake the town")
        wsgi("/")  # stored with no promotion yet
        promos = []
        with committed():
            for n in range(6):
                promotion = Promotion(
                    name=f"Ad {n}",
                    slot="footer",
                    headline=f"House ad {n}",
                    url="https://example.org/",
                )
                promos.append(services.promotion_save(promotion=promotion, sites=[]))
        wsgi("/")
        for _ in range(regions.variants()):
            wsgi("/")  # the first views render the draws they need
        seen = set()
        for _ in range(40):
            body = wsgi("/").body
            seen.add(frozenset(re.findall(rb"House ad \d", body)))
        assert len(seen) > 1
        counters.flush()
        shown = sum(PromotionDailyStats.objects.values_list("impressions", flat=True))
        assert shown >= 40 * 4
        assert {p.id for p in promos} >= set(
            PromotionDailyStats.objects.values_list("promotion_id", flat=True)
        )


class SiteWideTests:
    def test_a_section_change_purges_every_page_of_its_site(
        self, publish, wsgi, store, sections, committed
    ):
        """Renaming a section (shown in every page's navigation) purges the whole site and
        no other site."""
        from dateline.network.services import section_save

        story = publish("Forces retake the town")
        wsgi(story.placements.get().path)
        wsgi("/", host="spacedaily.localhost")
        other_before = stored_files(store, "spacedaily.localhost")
        section = sections["drones"]
        section.name = "Unmanned Systems"
        with committed():
            section_save(section=section)
        assert stored_files(store) == {}
        assert stored_files(store, "spacedaily.localhost") == other_before
        assert b"Unmanned Systems" in wsgi(story.placements.get().path).body

    def test_timed_refresh(self, publish, wsgi, store):
        """The periodic refresh draws promotions again and drops the news sitemap, which
        changes with time alone."""
        from dateline.bake.tasks import promotions_refresh

        publish("Forces retake the town")
        wsgi("/")
        wsgi("/sitemap-news.xml")
        assert (store.root / HOST / "sitemap-news.xml").exists()
        promotions_refresh.call()
        assert not (store.root / HOST / "sitemap-news.xml").exists()
        assert not (store.root / HOST / "_fragments/promotions/sidebar.0.html").exists()
        assert (store.root / HOST / "index.html").exists()


class FormTests:
    def test_the_gift_form_of_a_cached_page_works_and_refuses_other_origins(
        self, publish, wsgi, store, client, network, settings
    ):
        """A stored page's gift form carries no per-visitor token; the checkout accepts it
        from the site's own pages (Origin) and refuses a cross-site post."""
        from django.core.cache import cache

        from dateline.support.models import AppealConfig

        # Card gifts on (the provider is never called here).
        settings.STRIPE_SECRET_KEY = "sk_test_not_called"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_not_called"
        cache.clear()
        AppealConfig.objects.create(network=network)
        story = publish("Forces retake the town")
        path = story.placements.get().path
        wsgi(path)
        page = wsgi(path).body.decode()
        assert 'action="/support/checkout/"' in page
        assert "csrfmiddlewaretoken" not in page
        # An amount below the minimum: the form's own error page, before any provider call.
        form = {"frequency": "once", "amount": "0.01", "provider": "stripe"}
        foreign = client.post(
            "/support/checkout/", form,
            headers={"host": HOST, "origin": "https://attacker.example"},
        )  # fmt: skip
        assert foreign.status_code == 403
        own = client.post(
            "/support/checkout/", form, headers={"host": HOST, "origin": f"http://{HOST}"}
        )
        assert own.status_code == 400


class ReviewFindingTests:
    def test_a_section_slug_with_capitals(self, publish, wsgi, store, war_site, committed):
        """A section whose slug has capitals still gets its headline block, and purges of
        it do not fail after the commit."""
        from dateline.network.models import Section

        Section.objects.create(site=war_site, slug="World", name="World Desk", order=9)
        story = publish("Forces retake the town")
        page = wsgi(story.placements.get().path).body
        assert b"<!--#" not in page and b"World Desk" in page
        with committed():
            publish("A second story")  # purges, the capital-slug block included
        assert wsgi("/").status == 200

    def test_a_purge_of_a_site_without_a_folder_still_counts(self, store):
        """A render begun before a purge cannot store, even on a site with no folder yet."""
        from dateline.bake.pages import Targets
        from dateline.bake.services import pages_purge

        generation = store.generation(HOST)
        assert generation is None
        targets = Targets()
        targets.pages[HOST].add("/")
        pages_purge(targets)
        assert store.write_if_current(HOST, {store.page_file(HOST, "/"): b"old"}, None) is None

    def test_deleting_a_section_in_the_admin_purges_its_site(
        self, publish, wsgi, store, war_site, committed
    ):
        """A section deleted in the admin leaves the stored navigation."""
        from dateline.network.models import Section
        from dateline.network.services import section_delete

        empty = Section.objects.create(site=war_site, slug="empty", name="Empty Section", order=9)
        publish("Forces retake the town")
        assert b"Empty Section" in wsgi("/").body
        with committed():
            section_delete(section=empty)
        assert b"Empty Section" not in wsgi("/").body
