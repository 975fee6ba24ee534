"""Raw deliveries, kept byte for byte and addressed by SHA-256 (``RawDelivery``)."""

import hashlib
from types import SimpleNamespace

from dateline.sql import insert_rows

from .models import RawDelivery


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_store_many(blobs: dict[str, bytes]) -> None:
    """Keep each blob (keyed by its SHA-256) once; those already kept are left alone.
    Call inside the transaction that records the deliveries."""
    insert_rows(
        RawDelivery,
        [SimpleNamespace(sha256=sha, data=data, size=len(data)) for sha, data in blobs.items()],
        ignore_conflicts=True,
    )


def raw_read(sha256: str) -> bytes:
    return bytes(RawDelivery.objects.values_list("data", flat=True).get(sha256=sha256))
