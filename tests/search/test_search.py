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

    def test_abbreviations_and_numbers_match_as_typed(self, publish, fetch, settings):
        """Words joined by punctuation in wire copy ("U.S.", "F-35", "9/11", "3.5") are
        found as a reader types them, on both engines, by the walk and by the index."""
        publish(
            "U.S.-led coalition flies F-35 jets",
            body="<p>The jets flew on 9/11 anniversary patrols, burning 3.5 tonnes of fuel.</p>",
        )
        publish("Unrelated story", body="<p>Us and them, sixty five jets.</p>")
        for walk in (1000, 1):
            settings.DATELINE_SEARCH_WALK_DOCUMENTS = walk
            for query in ("U.S.", "U.S", "U.S.-led", "F-35", '"f 35"', "9/11", "3.5", "us-led"):
                expected = [] if query == "us-led" else ["U.S.-led coalition flies F-35 jets"]
                assert titles(fetch, query) == expected, (walk, query)

    def test_phrase_in_every_pass(self, publish, fetch, settings):
        """A phrase matches across a hyphen, and a longer one needs every word in
        order, whether the newest documents or an index finds it."""
        publish(
            "Ground-based radar",
            body="<p>A ground-based early warning radar was tested.</p>",
            hours_ago=3,
        )
        publish(
            "Storm warning",
            body="<p>The radar gave early warning to the crews, who stayed ground based.</p>",
            hours_ago=2,
        )
        publish("Newest story", body="<p>Nothing of note.</p>", hours_ago=1)
        for walk in (1, 1000):
            settings.DATELINE_SEARCH_WALK_DOCUMENTS = walk
            assert set(titles(fetch, '"ground based"')) == {"Ground-based radar", "Storm warning"}
            assert titles(fetch, '"early warning radar"') == ["Ground-based radar"]
            assert titles(fetch, '"warning radar" -storm') == ["Ground-based radar"]
            assert titles(fetch, '"the crews" "early warning"') == ["Storm warning"]

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

    def test_relevance_before_recency(self, publish, fetch):
        """A story about the words comes before a newer one that only mentions them."""
        publish(
            "Budget talks resume",
            body="<p>The talks, delayed by a radar fault at the airport, resumed.</p>",
            hours_ago=1,
        )
        publish(
            "Radar upgrade for the coast",
            body="<p>The new radar replaces two radar stations; the radar can see further.</p>",
            hours_ago=5,
        )
        assert titles(fetch, "radar") == ["Radar upgrade for the coast", "Budget talks resume"]

    def test_snippets_highlight_and_stay_inert(self, publish, fetch):
        """Matches are highlighted with <mark>; text from the story stays escaped."""
        publish(
            "Markup story",
            body="<p>An &lt;script&gt;alert(1)&lt;/script&gt; appeared in the cockpit display, "
            "said (Cockpit), then &lt;cockpit&gt;.</p>",
        )
        html = fetch("/search/", data={"q": "cockpit"}).content.decode()
        assert "<mark>cockpit</mark>" in html
        assert "<script>alert(1)" not in html
        # Punctuation around a word stays outside its highlight, and escaped.
        assert "(<mark>Cockpit</mark>)," in html
        assert "&lt;<mark>cockpit</mark>&gt;." in html

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


def _archive_body(number: int) -> str:
    """The text of story ``number`` of the ``archive`` fixture (0 is the newest)."""
    words = ["the report"]
    if number % 3 == 0:
        words.append("a radar")
    if number % 4 == 0:
        words.append("an air defence drill")
    elif number % 4 == 2:
        words.append("defence of the air")
    if number % 5 == 0:
        words.append("a test")
    if number >= 37:
        words.append("a flypast")
    return f"<p>{', '.join(words)}.</p>"


@pytest.fixture
def archive(publish):
    """40 stories nine days apart (a year, so that windows of months are tried),
    published oldest first as a desk does (SQLite takes the newest by placement id,
    PostgreSQL by date), and a newer one on the other site. ``archive[0]`` is the
    newest."""
    stories = {
        number: publish(
            f"Report number {number}",
            body=_archive_body(number),
            section="missiles" if number % 2 else "iraq-wars",
            hours_ago=24 * 9 * number + 1,
        )
        for number in reversed(range(40))
    }
    publish("The radar of the other site", section="satellites", hours_ago=0.5)
    return [stories[number] for number in range(40)]


class RecentMatchesTests:
    """Only the site's newest DATELINE_SEARCH_RECENT_MATCHES matches are ranked; on
    PostgreSQL they are found in passes (a walk of the newest documents, a time window,
    the rest). Lowered thresholds make every pass run on a small archive."""

    QUERIES = {
        "the": lambda n: True,
        "radar": lambda n: n % 3 == 0,
        '"air defence"': lambda n: n % 4 == 0,
        "air defence": lambda n: n % 4 in (0, 2),
        "radar -test": lambda n: n % 3 == 0 and n % 5 != 0,
        'the -"air defence"': lambda n: n % 4 != 0,
        "flypast": lambda n: n >= 37,
        "nowhere": lambda n: False,
    }

    @staticmethod
    def all_titles(fetch, query, **params):
        """Every title on every page of results, and whether the last page offers more."""
        found, page = [], 1
        while True:
            html = fetch("/search/", data={"q": query, "page": page, **params}).content.decode()
            found += re.findall(r'<h2 class="headline"><a href="[^"]+">([^<]+)</a>', html)
            if 'rel="next"' not in html:
                return found
            page += 1

    @pytest.mark.parametrize("walk", [1, 4, 1000])
    def test_newest_matches_whatever_the_passes(self, archive, fetch, settings, walk):
        """Each query finds exactly its newest 25 matches, over two pages, however many
        documents the first pass walks."""
        settings.DATELINE_SEARCH_RECENT_MATCHES = 25
        settings.DATELINE_SEARCH_WALK_DOCUMENTS = walk
        for query, matches in self.QUERIES.items():
            expected = [f"Report number {n}" for n in range(40) if matches(n)][:25]
            found = self.all_titles(fetch, query)
            assert sorted(found) == sorted(expected), query
            assert len(found) == len(expected), query

    @pytest.mark.parametrize("walk", [2, 1000])
    def test_filters_apply_in_every_pass(self, archive, fetch, settings, walk):
        """Section and date filters keep the newest matches within them."""
        settings.DATELINE_SEARCH_RECENT_MATCHES = 8
        settings.DATELINE_SEARCH_WALK_DOCUMENTS = walk
        missiles = [f"Report number {n}" for n in range(40) if n % 2]
        assert sorted(self.all_titles(fetch, "the", section="missiles")) == sorted(missiles[:8])
        radar_missiles = [f"Report number {n}" for n in range(40) if n % 2 and n % 3 == 0]
        assert sorted(self.all_titles(fetch, "radar", section="missiles")) == sorted(radar_missiles)
        until = archive[20].published_at.date()
        on_or_before = [
            story.headline
            for story in archive
            if story.published_at.date() <= until
            and "radar" in _archive_body(int(story.headline.split()[-1]))
        ][:8]
        found = self.all_titles(fetch, "radar", until=until.isoformat())
        assert sorted(found) == sorted(on_or_before)
