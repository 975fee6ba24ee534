"""What search reads: one document per live placement. The full-text index over it
is the engine's own (SQLite FTS5 or a PostgreSQL GIN index, see the migration)."""

from django.db import models


class SearchDocument(models.Model):
    placement_id = models.BigIntegerField(primary_key=True)
    story_id = models.BigIntegerField(db_index=True)
    site_id = models.BigIntegerField()
    section_id = models.BigIntegerField()
    source_id = models.BigIntegerField(null=True)
    published_at = models.DateTimeField()
    headline = models.TextField()
    body_text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["site_id", "-published_at"], name="searchdoc_site")]

    def __str__(self):
        return self.headline
