"""Background work on stories: scheduled publishing (no cron needed: the worker's
schedule runs ``stories_publish_due`` every few seconds)."""

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import services
from .models import Story

logger = logging.getLogger("dateline.articles")


@task()
def stories_publish_due() -> int:
    """Publish every scheduled story whose time has come, dated its scheduled time."""
    due = list(
        Story.objects.filter(status=Story.Status.SCHEDULED, published_at__lte=timezone.now())
        .order_by("published_at")
        .values_list("id", flat=True)[:500]
    )
    for story_id in due:
        with transaction.atomic():
            story = Story.objects.select_for_update().filter(pk=story_id).first()
            if story is None or story.status != Story.Status.SCHEDULED:
                continue  # published or changed meanwhile
            services.story_publish(story=story, published_at=story.published_at)
            logger.info("scheduled story %s published", story_id)
    return len(due)
