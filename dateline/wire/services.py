"""Ingest: a delivery's bytes in, pool items out, nothing lost.

Every delivery is kept raw (content-addressed) before anything else happens; what
cannot be read is quarantined with the reason; each item lands in the pool as new,
updated, unchanged or stale according to its guid and version."""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import Delivery, Source, WireItem
from .parsers import ParsedItem, ParseError, detect_parser
from .storage import raw_store

logger = logging.getLogger("dateline.wire")

OUTCOMES = ("new", "updated", "unchanged", "stale", "duplicate", "quarantined")


@dataclass
class IngestResult:
    """One line of ``dateline ingest --json``: an item, or a refused delivery."""

    path: str
    status: str
    format: str = ""
    guid: str = ""
    version: int | None = None
    headline: str = ""
    reason: str = ""
    delivery_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "format": self.format,
            "guid": self.guid,
            "version": self.version,
            "headline": self.headline,
            "reason": self.reason,
        }


def _content_hash(item: ParsedItem) -> str:
    payload = json.dumps(
        [item.headline, item.byline, item.dateline_place, item.body_html, item.signoff,
         item.pub_status, item.embargo_until and item.embargo_until.isoformat()],
        ensure_ascii=False,
    )  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


def _quarantine(*, source, sha256, size, origin, reason, format="") -> IngestResult:
    delivery = Delivery.objects.create(
        source=source, sha256=sha256, size=size, origin=origin[:500],
        format=format, status=Delivery.Status.QUARANTINED, reason=reason,
    )  # fmt: skip
    logger.warning("%s: %s; kept as delivery %s, quarantined", origin, reason, delivery.pk)
    return IngestResult(
        path=origin, status="quarantined", format=format, reason=reason, delivery_id=delivery.pk
    )


def delivery_ingest(*, source: Source, data: bytes, origin: str) -> list[IngestResult]:
    """Keep ``data`` and turn it into pool items. Returns one result per item, or one
    for the whole delivery when it is a duplicate or quarantined. Never raises for
    bad content: bad content is quarantined with the reason."""
    limit = settings.DATELINE_WIRE_MAX_BYTES
    if len(data) > limit:
        # Too big to keep: nothing is stored, the refusal is recorded.
        sha256 = hashlib.sha256(data).hexdigest()
        reason = f"{len(data)} bytes is over the {limit}-byte limit (DATELINE_WIRE_MAX_BYTES)"
        existing = Delivery.objects.filter(source=source, sha256=sha256).first()
        if existing:
            return [IngestResult(path=origin, status="duplicate", delivery_id=existing.pk)]
        return [
            _quarantine(source=source, sha256=sha256, size=len(data), origin=origin, reason=reason)
        ]
    sha256 = raw_store(data)
    existing = Delivery.objects.filter(source=source, sha256=sha256).first()
    if existing is not None:
        return [
            IngestResult(
                path=origin, status="duplicate", format=existing.format, delivery_id=existing.pk
            )
        ]
    try:
        parser, root = detect_parser(data, format_hint=source.format)
        items = parser.parse(data, root)
    except ParseError as error:
        return [
            _quarantine(
                source=source, sha256=sha256, size=len(data), origin=origin, reason=str(error)
            )
        ]
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as error:
        reason = f"could not be read ({type(error).__name__}: {error})"
        return [
            _quarantine(source=source, sha256=sha256, size=len(data), origin=origin, reason=reason)
        ]
    with transaction.atomic():
        delivery = Delivery.objects.create(
            source=source, sha256=sha256, size=len(data), origin=origin[:500],
            format=parser.format, status=Delivery.Status.ACCEPTED, item_count=len(items),
        )  # fmt: skip
        results = [_item_store(source=source, delivery=delivery, item=item) for item in items]
    for result in results:
        result.path, result.format, result.delivery_id = origin, parser.format, delivery.pk
    return results


def delivery_rerun(*, delivery: Delivery) -> list[IngestResult]:
    """Parse a quarantined delivery again from its kept bytes (after a parser fix).
    It stays quarantined, with the new reason, when it still cannot be read."""
    from .storage import raw_read

    if delivery.status != Delivery.Status.QUARANTINED:
        raise ValueError(f"delivery {delivery.pk} is not quarantined")
    try:
        data = raw_read(delivery.sha256)
    except FileNotFoundError:
        return [IngestResult(path=delivery.origin, status="quarantined", reason=delivery.reason)]
    try:
        parser, root = detect_parser(data, format_hint=delivery.source.format)
        items = parser.parse(data, root)
    except (ParseError, ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
        delivery.reason = str(error)
        delivery.save(update_fields=["reason"])
        return [IngestResult(path=delivery.origin, status="quarantined", reason=delivery.reason)]
    with transaction.atomic():
        delivery.status, delivery.reason = Delivery.Status.ACCEPTED, ""
        delivery.format, delivery.item_count = parser.format, len(items)
        delivery.save(update_fields=["status", "reason", "format", "item_count"])
        results = [
            _item_store(source=delivery.source, delivery=delivery, item=item) for item in items
        ]
    for result in results:
        result.path, result.format, result.delivery_id = delivery.origin, parser.format, delivery.pk
    return results


def _item_store(*, source: Source, delivery: Delivery, item: ParsedItem) -> IngestResult:
    content_hash = _content_hash(item)
    current = (
        WireItem.objects.select_for_update()
        .filter(source=source, guid=item.guid, is_current=True)
        .first()
    )
    version = item.version
    if version is None:  # feeds: changed content under a known guid is the next version
        if current is None:
            version = 1
        elif current.content_hash == content_hash:
            version = current.version
        else:
            version = current.version + 1
    result = IngestResult(
        path="", status="", guid=item.guid, version=version, headline=item.headline
    )
    if current is not None and version == current.version:
        result.status = "unchanged"
        return result
    if current is not None and version < current.version:
        if WireItem.objects.filter(source=source, guid=item.guid, version=version).exists():
            result.status = "unchanged"
        else:
            _create(source, delivery, item, version, content_hash, is_current=False)
            result.status = "stale"
        return result
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    try:
        with transaction.atomic():
            _create(source, delivery, item, version, content_hash, is_current=True)
    except IntegrityError:
        # Another ingest of the same guid won the race; it holds the current version.
        result.status = "unchanged"
        return result
    result.status = "new" if current is None else "updated"
    return result


def _create(source, delivery, item: ParsedItem, version, content_hash, *, is_current):
    return WireItem.objects.create(
        source=source,
        delivery=delivery,
        guid=item.guid[:500],
        version=version,
        is_current=is_current,
        format=delivery.format,
        headline=item.headline,
        byline=item.byline[:300],
        dateline_place=item.dateline_place[:200],
        dateline_at=item.dateline_at,
        language=item.language[:20],
        urgency=item.urgency,
        subjects=item.subjects,
        keywords=item.keywords,
        body_html=item.body_html,
        signoff=item.signoff[:200],
        ednote=item.ednote,
        embargo_until=item.embargo_until,
        pub_status=item.pub_status,
        content_hash=content_hash,
    )
