import json

import pytest
from django.core.management import call_command

from dateline.articles.models import Placement, Story
from dateline.demo.services import STORIES_FILE
from dateline.network.models import Section, Site

pytestmark = pytest.mark.django_db


class LoadDemoTests:
    def test_builds_the_four_sites_and_is_idempotent(self, client):
        """loaddemo builds four sites with their sections and stories; a rerun adds nothing."""
        call_command("loaddemo", stories=120, no_user=True, verbosity=0)
        assert Site.objects.count() == 4
        assert Story.objects.count() == 120
        names = set(Section.objects.filter(site__slug="spacewar").values_list("name", flat=True))
        assert {
            "Iraq Wars",
            "Missile Defense",
            "Missiles",
            "Drones",
            "Military Satellites",
        } <= names
        call_command("loaddemo", stories=120, no_user=True, verbosity=0)
        assert Story.objects.count() == 120
        assert Site.objects.count() == 4

    def test_wire_pool_is_read_from_ninjs_2_0(self, client):
        """The demo's agency items (ninjs 2.0 headlines, by, bodies) reach the pool whole."""
        from dateline.wire.models import Delivery, WireItem

        call_command("loaddemo", stories=0, no_user=True, verbosity=0)
        items = list(WireItem.objects.all())
        assert items and not Delivery.objects.filter(status=Delivery.Status.QUARANTINED).exists()
        for item in items:
            assert item.headline and item.byline and item.dateline_place
            assert item.body_html.startswith("<p>")

    def test_every_hand_written_story_is_published(self, client):
        """Each story of data/stories.json is live on its site and section."""
        call_command("loaddemo", stories=0, no_user=True, verbosity=0)
        entries = json.loads(STORIES_FILE.read_text())
        for entry in entries:
            placement = Placement.objects.get(story__headline=entry["headline"], is_canonical=True)
            assert (
                placement.site.slug == entry["site"] and placement.section.slug == entry["section"]
            )
            response = client.get(placement.path, headers={"host": placement.site.host})
            assert response.status_code == 200
            assert entry["paragraphs"][0].split('"')[0][:40] in response.content.decode()

    def test_generated_paths_are_unique(self):
        """Generated stories never collide on a URL, even with repeated headlines."""
        call_command("loaddemo", stories=400, no_user=True, verbosity=0)
        paths = list(Placement.objects.values_list("site_id", "path"))
        assert len(paths) == len(set(paths))
