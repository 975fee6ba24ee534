"""Near-duplicates: one event from several agencies, or a lightly re-edited re-send,
grouped into a story cluster with a similarity score.

Each item's text (headline and body, as word 3-grams) gets a MinHash signature
(datasketch, 64 permutations). Locality-sensitive hashing splits it into 16 bands
of 4; items that share a band are candidates, and the fraction of equal signature
values estimates their Jaccard similarity. Bands live in an indexed table of ours
(``ClusterBand``), so one index serves every process, survives restarts, and a
lookup costs the same however large the pool grows: it reads only matching bands
inside the look-back window (DATELINE_CLUSTER_WINDOW_HOURS, default 72).
"""

import hashlib
import re
import zlib
from datetime import timedelta

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.utils import timezone

NUM_PERM = 64
BANDS, ROWS = 16, 4  # candidate threshold about (1/16) ** (1/4) = 0.5
THRESHOLD = 0.5  # estimated Jaccard similarity to join a cluster

_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
_TAGS = re.compile(r"<[^>]+>")


def signature(headline: str, body_html: str) -> np.ndarray:
    """The MinHash signature (64 uint32) of an item's words."""
    words = _WORDS.findall(f"{headline} {_TAGS.sub(' ', body_html)}".lower())
    shingles = {" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))}
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=1,
        permutations=_TEMPLATE.permutations,
        hashfunc=zlib.crc32,
        scheme=_TEMPLATE.scheme,
    )
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (band number included, so bands never mix)."""
    keys = []
    raw = sig.tobytes()
    width = ROWS * 4
    for band in range(BANDS):
        digest = hashlib.blake2b(
            raw[band * width : (band + 1) * width], digest_size=8, salt=band.to_bytes(2, "big")
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: bytes | np.ndarray, b: bytes | np.ndarray) -> float:
    a = np.frombuffer(a, dtype=np.uint32) if isinstance(a, bytes | memoryview) else a
    b = np.frombuffer(b, dtype=np.uint32) if isinstance(b, bytes | memoryview) else b
    return float(np.count_nonzero(a == b)) / NUM_PERM


def window_start():
    hours = getattr(settings, "DATELINE_CLUSTER_WINDOW_HOURS", 72)
    return timezone.now() - timedelta(hours=hours)
