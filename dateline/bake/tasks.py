"""Background tasks of the page store (run by the worker)."""

from django.tasks import task

from .pages import Targets


@task(queue_name="pages")
def pages_rebake(targets: dict) -> int:
    """Bake mode: render again the pages and fragments a change touched, in place.
    Safe to run twice: it writes only files whose bytes changed."""
    from .baking import rebake

    return len(rebake(Targets.from_json(targets)))


@task(queue_name="pages")
def promotions_refresh() -> int:
    """Draw every promotion slot again (schedules start and end; rotation stays fresh),
    keep the footer's year current and the news sitemap to its last 48 hours, in every
    site the store holds: what changes with time alone, not with an edit."""
    from django.conf import settings

    from dateline.network.models import Site

    from . import regions
    from .services import pages_changed_now
    from .store import default_store

    store = default_store()
    if store is None:
        return 0
    hosts = set(store.hosts())
    targets = Targets()
    for host in Site.objects.filter(host__in=hosts).values_list("host", flat=True):
        targets.fragments[host] |= {"footer.html", *regions.promotion_fragment_names()}
        targets.pages[host].add("/sitemap-news.xml")
    pages_changed_now(targets, bake=getattr(settings, "DATELINE_BAKE", False))
    return len(targets.fragments)
