import json
import re

import pytest

pytestmark = pytest.mark.django_db


class StructuredDataTests:
    def test_news_article_json_ld(self, publish, fetch):
        """Article pages carry NewsArticle JSON-LD with Google's recommended properties."""
        story = publish("Structured </script><b>story", teaser="A teaser.")
        html = fetch(story.placements.get().path).content.decode()
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        data = json.loads(match.group(1))
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Structured </script><b>story"
        for key in ("datePublished", "dateModified", "author", "publisher", "mainEntityOfPage"):
            assert data[key]
        assert data["author"][0] == {"@type": "Person", "name": "Jane Reporter"}
        assert data["publisher"]["logo"]["url"].startswith("http://spacewar.localhost/static/")
        assert data["isAccessibleForFree"] is True

    def test_open_graph_and_twitter(self, publish, fetch):
        """Open Graph and Twitter card tags name the story and its canonical URL."""
        story = publish("Shared story", teaser="Teaser text.")
        html = fetch(story.placements.get().path).content.decode()
        url = f"http://spacewar.localhost{story.placements.get().path}"
        assert f'<meta property="og:url" content="{url}">' in html
        assert '<meta property="og:title" content="Shared story">' in html
        assert '<meta name="twitter:card" content="summary">' in html
