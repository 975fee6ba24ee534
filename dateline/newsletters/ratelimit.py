"""Fixed-window counters in Django's cache (per process with the default local-memory
cache; shared once CACHES points at Redis). Keys hold hashes, never addresses."""

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, value: str, *, limit: int, window: int = 3600) -> bool:
    """Count one event for ``value`` in ``scope``; False once ``limit`` is passed
    within the current window of ``window`` seconds."""
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    key = f"nl-rate:{scope}:{int(time.time() // window)}:{digest}"
    if cache.add(key, 1, timeout=window):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return True
