import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application

from dateline.network.models import Section, Site
from dateline.wire.models import Source

pytestmark = pytest.mark.django_db
# Our own JSON Schema of ninjs 2.0, written from the IPTC specification (see its title).
NINJS_2_0 = json.loads(
    (Path(__file__).parent / "ninjs-2.0.written-from-spec.schema.json").read_text()
)
# date-time is checked by jsonschema (rfc3339-validator); "uri" needs a package we do
# not install, so a URI here is anything with a scheme and a host or a path (urn:...).
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value):
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or bool(parts.scheme and (parts.netloc or parts.path))


NINJS_VALIDATOR = jsonschema.Draft4Validator(NINJS_2_0, format_checker=FORMATS)


def assert_ninjs_2_0(item):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in NINJS_VALIDATOR.iter_errors(item)]
    assert not errors, errors


def headline(item):
    return item["headlines"][0]["value"]


def api(client, path, host="spacewar.localhost", **params):
    return client.get(path, params, headers={"host": host})


class ArticlesApiTests:
    def test_list_is_ninjs_newest_first(self, publish, client):
        """The list holds the site's articles, newest first, each valid ninjs 2.0."""
        publish("Older", hours_ago=5)
        publish("Newer", hours_ago=1, section="missiles")
        response = api(client, "/api/v1/articles")
        assert response.status_code == 200 and response.headers["ETag"]
        items = response.json()["items"]
        assert [headline(i) for i in items] == ["Newer", "Older"]
        for item in items:
            assert_ninjs_2_0(item)

    def test_filters_and_cursor(self, publish, client):
        """Section filter and cursor pagination walk every article once."""
        for i in range(5):
            publish(f"War {i}", hours_ago=10 - i)
        publish("Missile", section="missiles")
        seen, url = [], "/api/v1/articles?section=iraq-wars&limit=2"
        while url:
            body = client.get(url, headers={"host": "spacewar.localhost"}).json()
            seen += [headline(i) for i in body["items"]]
            for item in body["items"]:
                assert_ninjs_2_0(item)
            url = body["next"] and body["next"].replace("http://spacewar.localhost", "")
        assert seen == [f"War {i}" for i in reversed(range(5))]

    def test_rights_decide_full_text(self, publish, client):
        """No body where the source's contract forbids full text in the API: the teaser only."""
        story = publish("Wire story", body="<p>Secret text.</p>", teaser="What happened.")
        story.source = Source.objects.create(name="AFP", slug="afp", rights_full_text_api=False)
        story.save()
        publish("Own story", body="<p>Our text.</p>", hours_ago=2)
        items = {headline(i): i for i in api(client, "/api/v1/articles").json()["items"]}
        restricted = items["Wire story"]
        assert "bodies" not in restricted and "Secret" not in json.dumps(restricted)
        assert restricted["representationtype"] == "partial"
        assert restricted["descriptions"] == [
            {"role": "summary", "contenttype": "text/plain", "value": "What happened."}
        ]
        assert items["Own story"]["representationtype"] == "full"
        assert items["Own story"]["bodies"] == [
            {
                "role": "main",
                "contenttype": "text/html",
                "charcount": 9,
                "wordcount": 2,
                "value": "<p>Our text.</p>",
            }
        ]
        assert [
            headline(i) for i in api(client, "/api/v1/articles", source="afp").json()["items"]
        ] == ["Wire story"]
        detail = api(client, f"/api/v1/articles/{story.pk}").json()
        assert "bodies" not in detail and "Secret" not in json.dumps(detail)
        assert_ninjs_2_0(detail)

    def test_article_properties_are_ninjs_2_0(self, publish, client):
        """Headline, byline, dateline place, teaser, section, source, URLs and dates in
        their ninjs 2.0 properties; nothing else at the top level."""
        story = publish("Drones over the harbour", teaser="A test.", section="missiles")
        item = api(client, f"/api/v1/articles/{story.pk}").json()
        assert_ninjs_2_0(item)
        assert item["uri"] == f"urn:dateline:story:{story.pk}"
        assert item["standard"] == {
            "name": "ninjs",
            "version": "2.0",
            "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json",
        }
        assert item["headlines"] == [
            {"role": "main", "contenttype": "text/plain", "value": "Drones over the harbour"}
        ]
        assert (item["by"], item["located"], item["language"]) == ("Jane Reporter", "Baghdad", "en")
        assert item["descriptions"][0]["value"] == "A test."
        # The fixture's body: "First paragraph of the story. Second paragraph."
        assert (item["bodies"][0]["charcount"], item["bodies"][0]["wordcount"]) == (47, 7)
        assert item["subjects"] == [
            {
                "name": "Missiles",
                "uri": "http://spacewar.localhost/missiles/",
                "literal": "missiles",
            }
        ]
        assert item["infosources"] == [{"name": "Agence France-Presse", "literal": "AFP"}]
        assert item["copyrightholder"] == "Agence France-Presse" and item["usageterms"]
        url = {altid["role"]: altid["value"] for altid in item["altids"]}
        page = client.get(urlsplit(url["url"]).path, headers={"host": "spacewar.localhost"})
        assert page.status_code == 200 and url["canonical-url"] == url["url"]
        for moment in ("firstcreated", "versioncreated"):
            assert datetime.fromisoformat(item[moment]).utcoffset() is not None
        assert item["pubstatus"] == "usable" and item["type"] == "text"

    def test_cross_posted_story_names_its_canonical_url(self, publish, client):
        """A story placed first on another site: this site's URL, and the canonical one."""
        story = publish("Shared", section="satellites", extra_sections=["missiles"])
        item = api(client, f"/api/v1/articles/{story.pk}").json()
        url = {altid["role"]: altid["value"] for altid in item["altids"]}
        assert url["url"].startswith("http://spacewar.localhost/missiles/")
        assert url["canonical-url"].startswith("http://spacedaily.localhost/satellites/")
        assert_ninjs_2_0(item)

    def test_ninjs_1_properties_fail_the_schema(self, publish, client):
        """The schema refuses ninjs 1.x names and shapes, so the validation above can fail."""
        story = publish("Checked")
        item = api(client, f"/api/v1/articles/{story.pk}").json()
        assert_ninjs_2_0(item)
        for name, value in [
            ("body_html", "<p>Text.</p>"),
            ("headline", "Checked"),
            ("byline", "Jane Reporter"),
            ("description_text", "A test."),
            ("subject", [{"name": "Iraq Wars", "code": "iraq-wars"}]),
        ]:
            assert not NINJS_VALIDATOR.is_valid({**item, name: value}), name
        for name, value in [
            ("altids", {"url": "http://spacewar.localhost/"}),
            ("headlines", [{"value": "Checked", "kind": "main"}]),
            ("subjects", [{"name": "Iraq Wars", "code": "iraq-wars"}]),
            ("pubstatus", "published"),
            ("firstcreated", "yesterday"),
            ("firstcreated", "2026-11-25T10:00:00"),  # no offset: not RFC 3339
            ("uri", "story 42"),
        ]:
            assert not NINJS_VALIDATOR.is_valid({**item, name: value}), name

    def test_single_article_and_other_site(self, publish, client):
        """One article by id; another site's article is not found here."""
        story = publish("Single")
        assert headline(api(client, f"/api/v1/articles/{story.pk}").json()) == "Single"
        assert (
            api(client, f"/api/v1/articles/{story.pk}", host="spacedaily.localhost").status_code
            == 404
        )

    @pytest.mark.parametrize(
        "params",
        [{"limit": "0"}, {"limit": "x"}, {"since": "yesterday"}, {"cursor": "abc"}, {"foo": "1"}],
    )
    def test_bad_parameters_are_400(self, client, sections, params):
        """Bad parameters get a 400 with a message saying what is wrong."""
        response = api(client, "/api/v1/articles", **params)
        assert response.status_code == 400 and response.json()["error"]

    @pytest.mark.parametrize(
        "name, value, message",
        [
            ("until", "9999-12-31T23:59:59-14:00", "until is out of the range of dates"),
            ("since", "0001-01-01T00:00:00+14:00", "since is out of the range of dates"),
            ("since", "2026-13-01", "since: month must be in 1..12"),
            ("until", "2026-02-30T10:00:00Z", "until: day is out of range for month"),
        ],
    )
    def test_dates_out_of_range_are_400(self, client, sections, name, value, message):
        """A date that exists nowhere, or only past the ends of the calendar once in UTC,
        gets a 400 that names the parameter, never a 500."""
        response = api(client, "/api/v1/articles", **{name: value})
        assert response.status_code == 400 and response.json()["error"] == message


@pytest.fixture
def api_schema(db, network, agencies):
    """The served OpenAPI document, on a site answering at 'localhost' (schemathesis's host)."""
    from datetime import timedelta

    from django.utils import timezone

    from dateline.articles import services

    site = Site.objects.create(network=network, name="Local", slug="local", host="localhost")
    section = Section.objects.create(site=site, name="News", slug="news")
    for i in range(3):
        story = services.story_create(
            headline=f"Story {i}", agency=agencies["AFP"], body="<p>Text.</p>", sections=[section]
        )
        services.story_publish(story=story, published_at=timezone.now() - timedelta(hours=i + 1))
    # As Django's test client does: requests must not close the test's connection.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_api_conforms_to_its_openapi(api_schema):
    """schemathesis: every generated request gets a response its OpenAPI description allows."""
    from hypothesis import HealthCheck, given, settings

    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 2
    for operation in operations:

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate()

        check()


def test_openapi_article_is_ninjs_2_0():
    """The served description names only ninjs 2.0 properties for an article."""
    from dateline.api.openapi import NINJS_ARTICLE

    assert set(NINJS_ARTICLE["properties"]) <= set(NINJS_2_0["properties"])
    assert NINJS_ARTICLE["additionalProperties"] is False
