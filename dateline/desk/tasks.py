"""Background work of the desk, scheduled in dateline/worker/schedule.py."""

from django.tasks import task
from django.utils import timezone

from . import routing, services, suggest
from .models import SuggestionModel


@task()
def entries_route_sweep() -> int:
    """Route desk entries that missed their routing right after ingest."""
    return routing.entries_route_pending()


@task()
def suggestions_retrain() -> str:
    """Retrain the section classifier when stories were published since the last one."""
    from dateline.articles.models import Story

    latest = SuggestionModel.objects.order_by("-trained_at").values_list("trained_at", flat=True)
    since = latest.first()
    if since is not None and not Story.objects.filter(first_published_at__gt=since).exists():
        return "no new decisions"
    model = suggest.suggestions_retrain()
    if model is None:
        return "too few decisions to learn from"
    return f"trained on {model.sample_count} decisions at {timezone.now():%H:%M}"


@task()
def stories_take_down_expired() -> int:
    """Take down the stories whose source's contract allows them no longer online."""
    return services.stories_take_down_expired()
