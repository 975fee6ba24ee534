"""Regions shared by many pages, rendered once and included.

A fragment row holds the rendered HTML, a version and whether the HTML is fresh
for that version. Invalidation bumps the version; a reader that rendered from
data older than the bump cannot store its result, because it writes only where
the version is still the one it read. So a publish that commits while a page is
being rendered never leaves a stale block behind, across any number of processes.
"""

from collections.abc import Callable

from django.db import connection
from django.db.models import F

from .models import Fragment


def headlines_key(section_id: int) -> str:
    return f"headlines:{section_id}"


def footer_key(network_id: int) -> str:
    # The year is part of the key: the copyright range moves on by itself on 1 January.
    from django.utils import timezone

    return f"footer:{network_id}:{timezone.now().year}"


def fragments_get(renderers: dict[str, Callable[[], str]]) -> dict[str, str]:
    """The HTML of each key, rendering (and storing) those that are missing or stale.
    One query when every fragment is fresh."""
    keys = list(renderers)
    with connection.cursor() as cursor:  # plain SQL: every page runs this
        cursor.execute(
            "SELECT key, html, version, fresh FROM articles_fragment WHERE key IN ({})".format(  # noqa: S608 - placeholders only
                ", ".join(["%s"] * len(keys))
            ),
            keys,
        )
        rows = {key: (html, version, fresh) for key, html, version, fresh in cursor.fetchall()}
    result = {}
    for key, render in renderers.items():
        row = rows.get(key)
        if row is not None and row[2]:
            result[key] = row[0]
            continue
        html = render()
        result[key] = html
        if row is None:
            Fragment.objects.bulk_create(
                [Fragment(key=key, html=html, version=0, fresh=True)], ignore_conflicts=True
            )
        else:
            Fragment.objects.filter(key=key, version=row[1]).update(html=html, fresh=True)
    return result


def fragments_fresh(keys) -> dict[str, str]:
    """The HTML of those of ``keys`` that are stored and fresh, in one query."""
    keys = list(keys)
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, html FROM articles_fragment WHERE fresh = %s AND key IN ({})".format(  # noqa: S608 - placeholders only
                ", ".join(["%s"] * len(keys))
            ),
            [True, *keys],
        )
        return dict(cursor.fetchall())


def fragments_invalidate(keys) -> None:
    """Mark fragments stale; pages render them again on their next view."""
    keys = list(keys)
    if not keys:
        return
    # Rows must exist so that a render racing with this call sees a new version.
    Fragment.objects.bulk_create(
        [Fragment(key=key, html="", version=0, fresh=False) for key in keys], ignore_conflicts=True
    )
    Fragment.objects.filter(key__in=keys).update(version=F("version") + 1, fresh=False)
