"""Impression and click counters, aggregated in memory and written as one
increment per promotion and day, at most every DATELINE_PROMOTIONS_FLUSH_SECONDS
(and when the process exits). A page view costs a dictionary update, not a write:
SQLite has one writer, and a row per impression would grow without end."""

import atexit
import contextlib
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Promotion, PromotionDailyStats

_lock = threading.Lock()
_pending: Counter = Counter()  # (promotion_id, day, "impressions"|"clicks") -> count
_last_flush = time.monotonic()


def count(promotion_ids, kind: str) -> None:
    """Count one impression or click (``kind``) for each id; flush when due."""
    global _last_flush
    day = timezone.now().date()
    with _lock:
        for promotion_id in promotion_ids:
            _pending[(promotion_id, day, kind)] += 1
        due = time.monotonic() - _last_flush >= settings.DATELINE_PROMOTIONS_FLUSH_SECONDS
        if due:
            _last_flush = time.monotonic()
    if due:
        flush()


def flush() -> None:
    """Write what has been counted: one increment per promotion and day."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return
    totals: dict[tuple[int, object], dict[str, int]] = {}
    for (promotion_id, day, kind), n in batch.items():
        totals.setdefault((promotion_id, day), {"impressions": 0, "clicks": 0})[kind] += n
    existing = set(
        Promotion.objects.filter(id__in={pid for pid, _ in totals}).values_list("id", flat=True)
    )
    with transaction.atomic():
        PromotionDailyStats.objects.bulk_create(
            [
                PromotionDailyStats(promotion_id=pid, day=day)
                for pid, day in totals
                if pid in existing
            ],
            ignore_conflicts=True,
        )
        for (pid, day), counts in totals.items():
            if pid in existing:
                PromotionDailyStats.objects.filter(promotion_id=pid, day=day).update(
                    impressions=F("impressions") + counts["impressions"],
                    clicks=F("clicks") + counts["clicks"],
                )


def _flush_at_exit():
    # The database may be gone by the time the interpreter exits.
    with contextlib.suppress(Exception):
        flush()


atexit.register(_flush_at_exit)
