"""The promotion slots of the pages, called from their templates (Jinja globals).
Rotation varies per request, so slots are rendered outside the cached fragments."""

from . import counters
from .selectors import slot_choice


def promotions_for(request, site, slot: str, size: int = 1):
    """Draw the slot's promotions for this page and count their impressions."""
    if site is None:
        return []
    chosen = slot_choice(site, slot, size=size)
    if chosen:
        counters.count([creative.id for creative in chosen], "impressions")
    return chosen
