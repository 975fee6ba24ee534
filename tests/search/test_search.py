import re

import pytest

from dateline.articles import services

pytestmark = pytest.mark.django_db(transaction=True)  # the index follows commits


def titles(fetch, query, **params):
    params["q"] = query
    html = fetch("/search/", data=params).content.decode()
    return re.findall(r'<h2 class="headline"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def corpus(publish):
    publish(
        "Army tests new air defence radar",
        body="<p>The army tested an air defence radar near the coast on Monday.</p>",
        hours_ago=30,
    )
    publish(
        "Defence ministry buys drones",
        body="<p>The ministry said the drones would watch the air over the border.</p>",
        section="drones",
        hours_ago=20,
    )
    publish(
        "Navy drill ends",
        body="<p>The navy ended its drill at the test site without incident.</p>",
        hours_ago=10,
    )
    publish(
        "Satellite launch delayed",
        body="<p>The satellite launch was delayed by weather.</p>",
        section="satellites",
        hours_ago=5,
    )


class SearchTests:
    def test_words_must_all_match(self, corpus, fetch):
        """Every word of the query must be in the story."""
        assert titles(fetch, "army radar") == ["Army tests new air defence radar"]

    def test_phrase_keeps_order(self, corpus, fetch):
        """A quoted phrase matches its words together and in order."""
        assert titles(fetch, '"air defence"') == ["Army tests new air defence radar"]
        assert set(titles(fetch, "air defence")) == {
            "Army tests new air defence radar",
            "Defence ministry buys drones",
        }

    def test_exclusion(self, corpus, fetch):
        """-word and -"phrase" remove stories that have them."""
        assert titles(fetch, "defence -drones") == ["Army tests new air defence radar"]
        assert titles(fetch, 'the -"test site" -radar -satellite') == [
            "Defence ministry buys drones"
        ]

    def test_only_this_site(self, corpus, fetch):
        """A site's search finds only its own stories."""
        assert titles(fetch, "satellite") == []
        html = fetch(
            "/search/", host="spacedaily.localhost", data={"q": "satellite"}
        ).content.decode()
        assert "Satellite launch delayed" in html

    def test_section_filter(self, corpus, fetch):
        """The section filter keeps that section's stories."""
        assert titles(fetch, "the", section="drones") == ["Defence ministry buys drones"]

    def test_source_filter(self, publish, agencies, fetch):
        """The source filter keeps the stories of that agency feed."""
        from dateline.wire.models import Source

        afp = Source.objects.create(name="AFP world", slug="afp", agency=agencies["AFP"])
        upi = Source.objects.create(name="UPI wire", slug="upi", agency=agencies["UPI"])
        publish("Radar from the AFP feed", source=afp, body="<p>A radar story.</p>")
        publish("Radar from the UPI feed", source=upi, body="<p>Another radar story.</p>")
        assert titles(fetch, "radar", source="upi") == ["Radar from the UPI feed"]
        assert len(titles(fetch, "radar")) == 2
        assert 'name="source"' in fetch("/search/").content.decode()

    def test_index_follows_withdraw_and_update(self, corpus, fetch):
        """Withdrawn stories leave the results; updated text is found at once."""
        from dateline.articles.models import Story

        story = Story.objects.get(headline="Navy drill ends")
        services.story_update(
            story=story, body="<p>The navy ended its exercise with a flypast.</p>"
        )
        assert titles(fetch, "flypast") == ["Navy drill ends"]
        services.story_withdraw(story=story)
        assert titles(fetch, "navy") == []

    def test_snippets_highlight_and_stay_inert(self, publish, fetch):
        """Matches are highlighted with <mark>; text from the story stays escaped."""
        publish(
            "Markup story",
            body="<p>An &lt;script&gt;alert(1)&lt;/script&gt; appeared in the cockpit display.</p>",
        )
        html = fetch("/search/", data={"q": "cockpit"}).content.decode()
        assert "<mark>cockpit</mark>" in html
        assert "<script>alert(1)" not in html

    def test_empty_query(self, corpus, fetch):
        """An empty or exclusion-only query shows no results and a hint."""
        html = fetch("/search/", data={"q": "-navy"}).content.decode()
        assert "Type at least one word" in html

    def test_bad_dates_explained(self, corpus, fetch):
        """A malformed date gets a message, not an error page."""
        response = fetch("/search/", data={"q": "army", "since": "2026-02-30"})
        assert response.status_code == 200 and "real date" in response.content.decode()

    def test_search_box_on_every_page(self, corpus, fetch):
        """Every page has the search box."""
        assert 'action="/search/" role="search"' in fetch("/").content.decode()
