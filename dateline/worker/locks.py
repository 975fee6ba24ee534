"""Mutual exclusion across the processes of the network.

With REDIS_URL set (several machines), a lock is a Redis key with an owner token
and an expiry (redis-py's Lock): a holder that dies frees it when the timeout
passes. Without Redis (the embedded default, one machine) it is an flock(2) on a
file under DATELINE_VAR_DIR/locks/, freed by the kernel when its holder dies.
"""

import fcntl
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger("dateline.worker")


@cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


@contextmanager
def exclusive(name: str, *, timeout: float) -> Iterator[bool]:
    """Try to take the lock ``name`` without waiting: yields True when this process
    holds it (until the block ends, or ``timeout`` seconds at most with Redis),
    False when another process does. Callers skip their work on False."""
    if not re.fullmatch(r"[\w.:-]{1,150}", name):
        raise ValueError(f"lock name {name!r}: use letters, digits and . : _ - only")
    url = getattr(settings, "REDIS_URL", "")
    if url:
        from redis.exceptions import LockError

        lock = _redis(url).lock(f"dateline:lock:{name}", timeout=timeout, blocking=False)
        held = lock.acquire()
        try:
            yield held
        finally:
            if held:
                try:
                    lock.release()
                except LockError:  # expired and perhaps taken by another: not ours to free
                    logger.warning("lock %s expired before its holder finished", name)
        return
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{name.replace(':', '_')}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
