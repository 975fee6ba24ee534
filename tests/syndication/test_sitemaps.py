import os
import re
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.django_db
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")


# The sitemaps.org schema, from npm's sitemap package (scripts/test-deps).
SITEMAP_XSD = (
    Path(__file__).resolve().parents[2] / "var/tools/node_modules/sitemap/schema/sitemap.xsd"
)


@pytest.fixture(scope="module")
def urlset_schema():
    if not SITEMAP_XSD.is_file():
        reason = f"no sitemaps.org schema at {SITEMAP_XSD} (scripts/test-deps installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: required under CI=true")
        pytest.skip(reason)
    return etree.XMLSchema(etree.parse(str(SITEMAP_XSD)))


def xml(response):
    assert response.status_code == 200
    return etree.fromstring(response.content)


class SitemapTests:
    def test_index_lists_fronts_and_months(self, publish, fetch):
        """The sitemap index names the fronts' sitemap and one per month, on the site's host."""
        publish("Recent story", hours_ago=1)
        publish("Old story", hours_ago=24 * 70)
        root = xml(fetch("/sitemap.xml"))
        assert root.tag == f"{SM}sitemapindex"
        locations = [loc.text for loc in root.iter(f"{SM}loc")]
        assert "http://spacewar.localhost/sitemap-fronts.xml" in locations
        assert sum("/sitemap-20" in loc for loc in locations) == 2

    def test_index_skips_months_without_live_stories(self, publish, fetch, space_site):
        """Months with no live story of this site are not listed; the rest are, newest
        first, however far apart."""
        from dateline.articles import services

        kept = [publish(f"Story {days}", hours_ago=24 * days) for days in (0.1, 40, 41, 400, 900)]
        gone = publish("Withdrawn", hours_ago=24 * 200)
        services.story_withdraw(story=gone)
        publish("Other site", section="satellites", hours_ago=24 * 600)
        months = sorted({(s.published_at.year, s.published_at.month) for s in kept}, reverse=True)
        root = xml(fetch("/sitemap.xml"))
        locations = [loc.text for loc in root.iter(f"{SM}loc")]
        assert locations[1:] == [
            f"http://spacewar.localhost/sitemap-{year:04d}-{month:02d}.xml"
            for year, month in months
        ]

    def test_month_sitemap_has_articles_with_w3c_dates(self, publish, fetch):
        """A month's sitemap lists that month's articles with W3C datetimes."""
        story = publish("Month story", hours_ago=1)
        when = story.published_at
        root = xml(fetch(f"/sitemap-{when:%Y-%m}.xml"))
        assert root.tag == f"{SM}urlset"
        urls = root.findall(f"{SM}url")
        assert [u.findtext(f"{SM}loc") for u in urls] == [
            f"http://spacewar.localhost{story.placements.get().path}"
        ]
        assert W3C_DATETIME.match(urls[0].findtext(f"{SM}lastmod"))

    def test_url_sitemaps_validate_against_the_sitemaps_org_schema(
        self, publish, fetch, urlset_schema
    ):
        """The fronts' sitemap and a month's, with a story whose headline needs escaping,
        are valid by the protocol's own XML Schema."""
        story = publish('Troops & tanks <"hold"> the line', hours_ago=1)
        for path in ("/sitemap-fronts.xml", f"/sitemap-{story.published_at:%Y-%m}.xml"):
            document = xml(fetch(path))
            assert urlset_schema.validate(document), (path, urlset_schema.error_log)
        broken = xml(fetch(f"/sitemap-{story.published_at:%Y-%m}.xml"))
        etree.SubElement(broken[0], f"{SM}priority").text = "2.0"  # out of the range
        assert not urlset_schema.validate(broken)

    def test_every_sitemap_uses_the_public_address(self, publish, client, settings):
        """The fronts' and months' sitemaps name pages at the site's public address (scheme
        and port), like the index and the news sitemap, whatever host the request used."""
        settings.DATELINE_PUBLIC_SCHEME, settings.DATELINE_PUBLIC_PORT = "https", 8443
        story = publish("Month story", hours_ago=1)
        locations = []
        for path in (
            "/sitemap.xml",
            "/sitemap-fronts.xml",
            f"/sitemap-{story.published_at:%Y-%m}.xml",
        ):
            response = client.get(path, headers={"host": "spacewar.localhost"})
            locations += [loc.text for loc in xml(response).iter(f"{SM}loc")]
        assert len(locations) > 3
        assert all(loc.startswith("https://spacewar.localhost:8443/") for loc in locations), (
            locations
        )

    def test_news_sitemap_last_48_hours_only(self, publish, fetch):
        """The news sitemap carries only the last 48 hours, with name, language and date."""
        publish("Fresh story", hours_ago=3)
        publish("Stale story", hours_ago=60)
        root = xml(fetch("/sitemap-news.xml"))
        titles = [t.text for t in root.iter(f"{NEWS}title")]
        assert titles == ["Fresh story"]
        news = root.find(f"{SM}url/{NEWS}news")
        assert news.findtext(f"{NEWS}publication/{NEWS}name") == "SpaceWar"
        assert news.findtext(f"{NEWS}publication/{NEWS}language") == "en"
        assert W3C_DATETIME.match(news.findtext(f"{NEWS}publication_date"))

    def test_robots_names_the_sitemaps(self, fetch, sections):
        """robots.txt names both sitemaps and keeps crawlers out of the admin."""
        text = fetch("/robots.txt").content.decode()
        assert "Sitemap: http://spacewar.localhost/sitemap.xml" in text
        assert "Sitemap: http://spacewar.localhost/sitemap-news.xml" in text
        assert "Disallow: /admin/" in text

    def test_unknown_section_sitemap(self, fetch, sections):
        """A sitemap that does not exist answers 404."""
        assert fetch("/sitemap-1999-01.xml").status_code == 404
