from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from dateline.articles import services
from dateline.wire.models import Source

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200, response.status_code
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


class FeedTests:
    @pytest.mark.parametrize("kind, version", [("rss", "rss20"), ("atom", "atom10")])
    def test_site_feed_is_valid_and_complete(self, publish, fetch, kind, version):
        """RSS 2.0 and Atom 1.0 parse cleanly and carry the required elements."""
        publish("First story", hours_ago=2, body="<p>Full text here.</p>")
        publish("Second story", section="missiles", hours_ago=1)
        feed = parse(fetch(f"/feeds/{kind}/"))
        assert feed.version == version
        assert feed.feed.title == "SpaceWar" and feed.feed.link.startswith(
            "http://spacewar.localhost/"
        )
        assert [e.title for e in feed.entries] == ["Second story", "First story"]
        entry = feed.entries[1]
        assert entry.id.startswith("urn:dateline:story:")
        assert entry.link.startswith("http://spacewar.localhost/iraq-wars/")
        assert entry.published_parsed and entry.author == "Jane Reporter"
        assert "Baghdad (AFP)" in entry.summary or "Baghdad (AFP)" in entry.content[0].value
        links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert links == [f"http://spacewar.localhost/feeds/{kind}/"]

    def test_section_feed_lists_only_its_section(self, publish, fetch):
        """A section's feed lists only that section's stories."""
        publish("War story")
        publish("Missile story", section="missiles")
        feed = parse(fetch("/feeds/missiles/rss/"))
        assert [e.title for e in feed.entries] == ["Missile story"]
        assert fetch("/feeds/no-such/rss/").status_code == 404

    def test_network_feed_lists_each_story_once(self, publish, fetch):
        """The network feed carries every site's stories, a story on two sites once."""
        publish("Shared story", extra_sections=["satellites"])
        publish("Space story", section="satellites")
        feed = parse(fetch("/feeds/network/rss/", host="spacedaily.localhost"))
        titles = [e.title for e in feed.entries]
        assert sorted(titles) == ["Shared story", "Space story"]

    def test_full_text_only_where_rights_allow(self, publish, fetch, agencies):
        """A story whose source forbids full text in feeds gets its teaser only."""
        restricted = Source.objects.create(
            name="AFP wire", slug="afp", rights_full_text_feeds=False
        )
        story = publish("Restricted story", body="<p>Secret full text.</p>", teaser="Short teaser.")
        story.source = restricted
        story.save()
        publish("Own story", body="<p>Our full text.</p>", hours_ago=2)
        content = fetch("/feeds/rss/").content.decode()
        assert "Secret full text" not in content and "Short teaser." in content
        assert "Our full text." in content

    def test_drafts_withdrawn_and_future_stay_out(self, publish, fetch, agencies, sections):
        """Only live stories appear in feeds."""
        gone = publish("Withdrawn story")
        services.story_withdraw(story=gone)
        later = services.story_create(
            headline="Later story",
            agency=agencies["AFP"],
            body="x",
            sections=[sections["iraq-wars"]],
        )
        services.story_schedule(story=later, publish_at=timezone.now() + timedelta(hours=2))
        content = fetch("/feeds/rss/").content.decode()
        assert "Withdrawn story" not in content and "Later story" not in content

    def test_conditional_get(self, publish, client):
        """A feed answers 304 to its own ETag and Last-Modified."""
        publish("Cached story")
        first = client.get("/feeds/rss/", headers={"host": "spacewar.localhost"})
        assert first.headers.get("ETag") and first.headers.get("Last-Modified")
        again = client.get(
            "/feeds/rss/",
            headers={"host": "spacewar.localhost", "If-None-Match": first.headers["ETag"]},
        )
        assert again.status_code == 304
        since = client.get(
            "/feeds/rss/",
            headers={
                "host": "spacewar.localhost",
                "If-Modified-Since": first.headers["Last-Modified"],
            },
        )
        assert since.status_code == 304

    def test_pages_link_their_feeds(self, publish, fetch):
        """Every page names its feeds in <link rel="alternate">; the footer lists each site's."""
        story = publish("Linked story")
        html = fetch(story.placements.get().path).content.decode()
        assert (
            '<link rel="alternate" type="application/rss+xml" title="SpaceWar (RSS)" href="/feeds/rss/">'
            in html
        )
        assert 'href="/feeds/iraq-wars/rss/"' in html
        assert "XML Feeds" in html and "http://spacedaily.localhost/feeds/rss/" in html
