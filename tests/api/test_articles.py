import json
from pathlib import Path

import jsonschema
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application

from dateline.network.models import Section, Site
from dateline.wire.models import Source

pytestmark = pytest.mark.django_db
NINJS = json.loads((Path(__file__).parent / "ninjs-2.0-subset.schema.json").read_text())


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
        assert [i["headline"] for i in items] == ["Newer", "Older"]
        for item in items:
            jsonschema.validate(item, NINJS)

    def test_filters_and_cursor(self, publish, client):
        """Section filter and cursor pagination walk every article once."""
        for i in range(5):
            publish(f"War {i}", hours_ago=10 - i)
        publish("Missile", section="missiles")
        seen, url = [], "/api/v1/articles?section=iraq-wars&limit=2"
        while url:
            body = client.get(url, headers={"host": "spacewar.localhost"}).json()
            seen += [i["headline"] for i in body["items"]]
            url = body["next"] and body["next"].replace("http://spacewar.localhost", "")
        assert seen == [f"War {i}" for i in reversed(range(5))]

    def test_rights_decide_full_text(self, publish, client):
        """No body_html where the source's contract forbids full text in the API."""
        story = publish("Wire story", body="<p>Secret text.</p>")
        story.source = Source.objects.create(name="AFP", slug="afp", rights_full_text_api=False)
        story.save()
        publish("Own story", body="<p>Our text.</p>", hours_ago=2)
        items = {i["headline"]: i for i in api(client, "/api/v1/articles").json()["items"]}
        assert "body_html" not in items["Wire story"]
        assert items["Own story"]["body_html"] == "<p>Our text.</p>"
        assert [
            i["headline"] for i in api(client, "/api/v1/articles", source="afp").json()["items"]
        ] == ["Wire story"]

    def test_single_article_and_other_site(self, publish, client):
        """One article by id; another site's article is not found here."""
        story = publish("Single")
        assert api(client, f"/api/v1/articles/{story.pk}").json()["headline"] == "Single"
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
