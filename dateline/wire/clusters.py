"""Near-duplicates: one event from several agencies, or a lightly re-edited re-send,
grouped into a story cluster with a similarity score.

Each item's text (headline and body, as word 3-grams) gets a MinHash signature
of 64 values: multiply-shift universal hashing, the high 32 bits of (a*x + b) mod
2**64 over 32-bit shingle hashes (no division: three times faster than mod p), in
numpy. (datasketch computes the same kind of signature but hashes shingles one by
one in Python, which cost 4x more per item at our ingest rates.) Locality-sensitive hashing splits it into 16 bands
of 4; items that share a band are candidates, and the fraction of equal signature
values estimates their Jaccard similarity. Bands live in an indexed table of ours
(``ClusterBand``), so one index serves every process, survives restarts, and a
lookup costs the same however large the pool grows: it reads only matching bands
within the window around the item's own time (DATELINE_CLUSTER_WINDOW_HOURS,
default 72 hours either side), at most MAX_CANDIDATES_PER_BAND of them.
"""

import hashlib
import re
import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings

NUM_PERM = 64
BANDS, ROWS = 16, 4  # candidate threshold about (1/16) ** (1/4) = 0.5
THRESHOLD = 0.5  # estimated Jaccard similarity to join a cluster

_random = np.random.RandomState(20261125)  # fixed: signatures must agree across processes
_A = _random.randint(1, 2**63, size=(NUM_PERM, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _random.randint(0, 2**63, size=(NUM_PERM, 1), dtype=np.uint64)
_SHIFT = np.uint64(32)
_MASK = np.uint64(0xFFFFFFFF)
# Bytes that separate words: ASCII other than letters and digits (UTF-8 sequences of
# other scripts stay inside their words). translate + split runs in C.
_SEPARATORS = bytes(b if (b >= 0x80 or chr(b).isalnum()) else 0x20 for b in range(256))
_TAGS = re.compile(r"<[^>]+>")


# Chinese, Japanese and Korean are written without spaces between words: their runs
# are cut into overlapping character pairs, the usual tokens for such text.
_CJK_LEAD = re.compile(rb"[\xe3-\xe9\xea-\xed]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_CJK_PUNCTUATION = str.maketrans(
    {
        c: " "
        for c in "\u3001\u3002\uff0c\uff01\uff1f\uff1a\uff1b\u300c\u300d\u300e\u300f\uff08\uff09"
    }
)


def _split_cjk(words: list[bytes]) -> list[bytes]:
    out = []
    for word in words:
        text = word.decode("utf-8", "ignore").translate(_CJK_PUNCTUATION)
        if not _CJK_RUN.search(text):
            out.append(word)
            continue
        for part in text.split():
            position = 0
            for run in _CJK_RUN.finditer(part):
                if run.start() > position:
                    out.append(part[position : run.start()].encode())
                chars = run.group()
                pairs = [chars[i : i + 2] for i in range(max(1, len(chars) - 1))]
                out.extend(pair.encode() for pair in pairs)
                position = run.end()
            if position < len(part):
                out.append(part[position:].encode())
    return out


def signature(headline: str, body_html: str) -> np.ndarray:
    """The MinHash signature (64 uint32) of an item's word 3-grams."""
    return signatures([(headline, body_html)])[0]


def _shingles(headline: str, body_html: str) -> np.ndarray:
    """The item's word 3-gram hashes (uint64 holding 32 bits), at least one."""
    text = f"{headline} {_TAGS.sub(' ', body_html)}".lower().encode()
    words = text.translate(_SEPARATORS).split()
    if not text.isascii() and _CJK_LEAD.search(text):  # isascii: C, ten times faster
        words = _split_cjk(words)
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    if len(hashes) >= 3:
        # Wrapping uint64 arithmetic, then 32 bits: a hash of the three words in order.
        shingles = hashes[:-2] * np.uint64(0x9E3779B1)
        shingles += hashes[1:-1] * np.uint64(0x85EBCA77)
        shingles += hashes[2:]
        shingles &= _MASK
        return shingles
    if len(hashes):
        return hashes
    return np.zeros(1, dtype=np.uint64)


def signatures(texts) -> np.ndarray:
    """The signatures of many (headline, body_html) pairs, as a (n, 64) uint32 array.

    A shingle seen twice changes no minimum, so none are deduplicated; and since
    x >> 32 never decreases as x grows, the minimum of (a*x + b) >> 32 is the
    minimum of a*x + b shifted, one shift per permutation instead of one per value.
    The arithmetic wraps modulo 2**64 by design (numpy does not warn for arrays).
    (Hashing several items' shingles in one block was tried: no faster.)"""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for row, (headline, body_html) in enumerate(texts):
        permuted = _A * _shingles(headline, body_html)
        permuted += _B
        out[row] = permuted.min(axis=1) >> _SHIFT
    return out


_BAND_MULTIPLIERS = _random.randint(1, 2**63, size=(1, ROWS), dtype=np.uint64) | np.uint64(1)
_BAND_SALTS = _random.randint(0, 2**63, size=BANDS, dtype=np.uint64)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band: a hash of the band's values and its number
    (so bands never mix), computed for all bands in one numpy expression."""
    return band_keys_many(sig.reshape(1, NUM_PERM))[0]


def band_keys_many(signatures: np.ndarray) -> list[list[int]]:
    """``band_keys`` of each row of a (n, NUM_PERM) array of signatures, in one go."""
    rows = signatures.reshape(-1, BANDS, ROWS).astype(np.uint64)
    # Wrapping multiplication is the hash (numpy does not warn for arrays).
    mixed = (rows * _BAND_MULTIPLIERS).sum(axis=2, dtype=np.uint64) ^ _BAND_SALTS
    mixed ^= mixed >> np.uint64(29)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(32)
    return mixed.view(np.int64).tolist()


def cluster_hash(cluster_key: str) -> int:
    """A signed 64-bit number for a cluster key, for the band index (stable across processes)."""
    return int.from_bytes(
        hashlib.blake2b(cluster_key.encode(), digest_size=8).digest(), "big", signed=True
    )


def similarities(signature_bytes: bytes, others: list[bytes]) -> np.ndarray:
    """Estimated Jaccard similarity of one signature to each of ``others``."""
    mine = np.frombuffer(signature_bytes, dtype=np.uint32)
    matrix = np.frombuffer(b"".join(others), dtype=np.uint32).reshape(len(others), NUM_PERM)
    return np.count_nonzero(matrix == mine, axis=1) / NUM_PERM


MAX_CANDIDATES_PER_BAND = 20


def window() -> timedelta:
    return timedelta(hours=getattr(settings, "DATELINE_CLUSTER_WINDOW_HOURS", 72))


PERIOD = timedelta(days=7)
_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: periods are weeks from Monday, UTC


def period_of(at: datetime) -> int:
    """The band index's period (a week) of a story's time."""
    return (at - _EPOCH) // PERIOD


def periods_around(at: datetime, window: timedelta) -> range:
    """The periods that [at - window, at + window] overlaps: where a lookup looks."""
    return range(period_of(at - window), period_of(at + window) + 1)
