import pytest

from dateline.articles.fragments import fragments_get, fragments_invalidate
from dateline.articles.models import Fragment

pytestmark = pytest.mark.django_db


class FragmentStoreTests:
    def test_rendered_once_then_served(self):
        """A fragment is rendered on first use and served from the store afterwards."""
        calls = []

        def render():
            calls.append(1)
            return "<p>block</p>"

        assert fragments_get({"k": render}) == {"k": "<p>block</p>"}
        assert fragments_get({"k": render}) == {"k": "<p>block</p>"}
        assert len(calls) == 1

    def test_invalidated_fragment_is_rendered_again(self):
        """After invalidation the next read renders fresh HTML."""
        fragments_get({"k": lambda: "old"})
        fragments_invalidate(["k"])
        assert fragments_get({"k": lambda: "new"}) == {"k": "new"}
        assert fragments_get({"k": lambda: "unused"}) == {"k": "new"}

    def test_render_racing_an_invalidation_is_not_kept(self):
        """HTML rendered from data read before an invalidation is never stored as fresh."""
        fragments_get({"k": lambda: "v1"})
        fragments_invalidate(["k"])

        def render_while_a_publish_commits():
            # This reader saw the stale row, read old data, and meanwhile a publish
            # committed and invalidated the fragment again.
            fragments_invalidate(["k"])
            return "rendered-from-old-data"

        assert fragments_get({"k": render_while_a_publish_commits})["k"] == "rendered-from-old-data"
        assert not Fragment.objects.get(key="k").fresh
        assert fragments_get({"k": lambda: "v2"}) == {"k": "v2"}

    def test_first_render_racing_an_invalidation_is_not_kept(self):
        """Even the very first render loses to an invalidation that lands meanwhile."""

        def render():
            fragments_invalidate(["fresh-key"])
            return "old"

        fragments_get({"fresh-key": render})
        assert fragments_get({"fresh-key": lambda: "new"}) == {"fresh-key": "new"}


class PublishRefreshesFragmentsTests:
    def test_publish_updates_sibling_blocks(
        self, publish, fetch, django_capture_on_commit_callbacks
    ):
        """Publishing a story shows it in its section's block on other pages at once."""
        page = publish("Reader's page", hours_ago=3)
        path = page.placements.get().path
        assert "Fresh missile news" not in fetch(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            publish("Fresh missile news", section="missiles")
        assert "Fresh missile news" in fetch(path).content.decode()

    def test_withdraw_removes_from_blocks(self, publish, fetch, django_capture_on_commit_callbacks):
        """A withdrawn story disappears from every headline block."""
        from dateline.articles import services

        page = publish("Reader's page", hours_ago=3)
        gone = publish("Soon withdrawn", section="missiles")
        path = page.placements.get().path
        assert "Soon withdrawn" in fetch(path).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            services.story_withdraw(story=gone)
        assert "Soon withdrawn" not in fetch(path).content.decode()

    def test_site_rename_updates_footer(self, sections, fetch, django_capture_on_commit_callbacks):
        """Renaming a site through its service changes every footer of the network."""
        from dateline.network import services
        from dateline.network.models import Site

        assert "SpaceDaily" in fetch("/").content.decode()
        site = Site.objects.get(slug="spacedaily")
        site.name = "Orbit Daily"
        with django_capture_on_commit_callbacks(execute=True):
            services.site_save(site=site)
        assert "Orbit Daily" in fetch("/").content.decode()
