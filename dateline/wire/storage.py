"""Raw deliveries, kept byte for byte and addressed by SHA-256 (``RawDelivery``)."""

import hashlib

from .models import RawDelivery


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_store_many(blobs: dict[str, bytes]) -> None:
    """Keep each blob (keyed by its SHA-256) once; those already kept are left alone.
    Call inside the transaction that records the deliveries."""
    RawDelivery.objects.bulk_create(
        [RawDelivery(sha256=sha, data=data, size=len(data)) for sha, data in blobs.items()],
        ignore_conflicts=True,
        batch_size=200,
    )


def raw_read(sha256: str) -> bytes:
    return bytes(RawDelivery.objects.values_list("data", flat=True).get(sha256=sha256))
