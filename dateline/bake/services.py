"""Keeping the page store exact: after a change commits, the pages and fragments it
touched are purged (the next view renders them) or, in bake mode, re-baked in place
by the background worker (nginx serves the store as it is)."""

import logging

from django.conf import settings
from django.db import transaction

from .pages import Targets
from .store import default_store, host_ok, page_path_ok

logger = logging.getLogger("dateline.bake")


def pages_changed(targets: Targets) -> None:
    """Call inside the transaction of a change, with the targets before and after it."""
    if not targets or not getattr(settings, "DATELINE_PAGE_DIR", ""):
        return
    data = targets.as_json()
    transaction.on_commit(lambda: _after_commit(data))


def _after_commit(data: dict) -> None:
    if getattr(settings, "DATELINE_BAKE", False):
        from .tasks import pages_rebake

        pages_rebake.enqueue(data)
    else:
        pages_purge(Targets.from_json(data))


def pages_changed_now(targets: Targets, *, bake: bool) -> None:
    """Re-bake ``targets`` in place (bake mode) or purge them, now."""
    if bake:
        from .baking import rebake

        rebake(targets)
    else:
        pages_purge(targets)


def pages_purge(targets: Targets) -> None:
    """Delete the stored pages and fragments; readers get them rendered afresh. A site
    with no folder yet gets a generation all the same, so that a render that started
    before this purge cannot store its result."""
    store = default_store()
    if store is None:
        return
    hosts = {host for host in set(targets.pages) | set(targets.fragments) | targets.sites}
    for host in sorted(h for h in hosts if host_ok(h)):
        if host in targets.sites:
            store.purge_site(host)
            continue
        paths = [path for path in targets.pages.get(host, ()) if page_path_ok(path)]
        files = [f for path in paths for f in store.page_files(host, path)]
        for name in targets.fragments.get(host, ()):
            try:
                files.append(store.fragment_file(host, name))
            except ValueError:
                logger.warning("not a fragment name, nothing to purge: %r", name)
        store.purge(host, files)
