"""Which promotions a page shows, and each site's ads.txt."""

import random
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from .models import AdsTxt, Promotion


@dataclass(frozen=True, slots=True)
class Creative:
    """What a slot renders of a promotion (never its image bytes)."""

    id: int
    slot: str
    kind: str
    headline: str
    text: str
    sponsor: str
    image_alt: str
    weight: int
    starts_at: datetime | None
    ends_at: datetime | None

    @property
    def click_url(self) -> str:
        return f"/promo/{self.id}/click/"

    @property
    def image_url(self) -> str:
        return f"/promo/{self.id}/image/"


def cache_key(site_id: int) -> str:
    return f"dateline:promotions:site:{site_id}"


def site_creatives(site) -> list[Creative]:
    """Every active promotion that targets the site (explicitly, or every site),
    cached for DATELINE_PROMOTIONS_CACHE_SECONDS; schedules are applied per view."""
    key = cache_key(site.id)
    creatives = cache.get(key)
    if creatives is None:
        rows = (
            Promotion.objects.filter(is_active=True)
            .filter(Q(sites=site) | Q(sites__isnull=True))
            .distinct()
            .values_list(
                "id",
                "slot",
                "kind",
                "headline",
                "text",
                "sponsor",
                "image_alt",
                "weight",
                "starts_at",
                "ends_at",
            )  # fmt: skip
        )
        creatives = [Creative(*row) for row in rows]
        cache.set(key, creatives, settings.DATELINE_PROMOTIONS_CACHE_SECONDS)
    return creatives


def slot_choice(site, slot: str, *, size: int = 1, now: datetime | None = None) -> list[Creative]:
    """Up to ``size`` different promotions for the slot, drawn by weight among those
    running now."""
    now = now or timezone.now()
    pool = [
        creative
        for creative in site_creatives(site)
        if creative.slot == slot
        and (creative.starts_at is None or creative.starts_at <= now)
        and (creative.ends_at is None or now < creative.ends_at)
    ]
    chosen = []
    while pool and len(chosen) < size:
        pick = random.choices(pool, weights=[c.weight for c in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def promotion_for_click(*, site, promotion_id: int) -> Promotion | None:
    """The promotion behind a click link, when it is shown (or was shown) on this site."""
    return (
        Promotion.objects.filter(pk=promotion_id)
        .filter(Q(sites=site) | Q(sites__isnull=True))
        .only("id", "url")
        .first()
    )


def site_ads_txt(site) -> str | None:
    return AdsTxt.objects.filter(site=site).values_list("content", flat=True).first()
