import pytest
from django.db import IntegrityError

from dateline.articles import services
from dateline.articles.models import Placement

pytestmark = pytest.mark.django_db


class PlacementTests:
    def test_same_headline_same_day_gets_distinct_urls(self, publish):
        """Two stories with one headline on one day get different URLs."""
        first = publish("Identical headline", hours_ago=1)
        second = publish("Identical headline", hours_ago=1.5)
        paths = {first.placements.get().path, second.placements.get().path}
        assert len(paths) == 2

    def test_one_canonical_per_story(self, publish, sections):
        """The database keeps one canonical placement per story."""
        story = publish("Two places", extra_sections=["satellites"])
        other = story.placements.get(is_canonical=False)
        with pytest.raises(IntegrityError):
            Placement.objects.filter(pk=other.pk).update(is_canonical=True)

    def test_set_canonical_moves_the_mark(self, publish):
        """Choosing another canonical placement unmarks the first."""
        story = publish("Two places", extra_sections=["satellites"])
        other = story.placements.get(is_canonical=False)
        services.placement_set_canonical(placement=other)
        assert list(story.placements.filter(is_canonical=True)) == [other]

    def test_removing_canonical_promotes_another(self, publish):
        """Removing the canonical placement makes another one canonical."""
        story = publish("Two places", extra_sections=["satellites"])
        services.placement_remove(placement=story.placements.get(is_canonical=True))
        assert story.placements.get().is_canonical

    def test_move_across_sites_refused(self, publish, sections):
        """A placement moves within its site; another site needs its own placement."""
        story = publish("Stay home")
        with pytest.raises(ValueError, match="within its site"):
            services.placement_move(
                placement=story.placements.get(), section=sections["satellites"]
            )

    def test_publish_without_placement_refused(self, agencies):
        """A story with no section cannot be published, and says so."""
        story = services.story_create(
            headline="Nowhere", agency=agencies["AFP"], body="<p>x</p>", sections=[]
        )
        with pytest.raises(ValueError, match="no placement"):
            services.story_publish(story=story)


class StoryUpdateTests:
    def test_update_marks_updated_time(self, publish):
        """A substantive update of a published story records when it happened."""
        story = publish("To be updated")
        services.story_update(story=story, mark_updated=True, body="<p>New text</p>")
        story.refresh_from_db()
        assert story.updated_at is not None and story.body == "<p>New text</p>"

    def test_update_refuses_unknown_fields(self, publish):
        """Status and times change only through their own services."""
        story = publish("Guarded")
        with pytest.raises(TypeError):
            services.story_update(story=story, status="draft")
