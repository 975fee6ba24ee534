"""Ingest: deliveries' bytes in, pool items out, nothing lost.

Every delivery is kept raw (content-addressed) before anything else happens; what
cannot be read is quarantined with the reason; each item lands in the pool as new,
updated, unchanged or stale according to its guid and version.

Deliveries are ingested in batches: parsing is per file, but the pool is read and
written a batch at a time (a few queries per batch, not per item), which is what
lets a backfill run at thousands of items a second."""

import gc
import hashlib
import logging
import operator
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from dateline.ops.metrics import wire_outcomes
from dateline.sql import aware, fetch_in, insert_rows

from . import clusters
from .models import Delivery, RawDelivery, Source, WireItem
from .parsers import ParsedItem, ParseError, detect_parser
from .storage import raw_read, raw_store_many, sha256_of

logger = logging.getLogger("dateline.wire")

OUTCOMES = ("new", "updated", "unchanged", "stale", "duplicate", "quarantined")
_CHUNK = 400  # keeps IN (...) lists under SQLite's variable limit


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
            "delivery": self.delivery_id,
        }


@dataclass
class _Arrival:
    origin: str
    size: int
    sha256: str
    format: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (guid, reason) per bad item
    reason: str = ""  # set: quarantined
    data: bytes | None = None  # None: too large to keep
    duplicate_of: int | None = None
    delivery: Delivery | None = None


def _content_hash(item: ParsedItem) -> str:
    """SHA-256 of what a reader sees of the item, as stored: its text fields joined by
    NUL, which none of them holds (``_normalised`` drops it), so that different
    fields never join to the same text. The embargo is in UTC, as stored. (Before
    wire migration 0006 it was the fields as JSON: encoding a 3 KB body cost five
    times the hash; that migration recomputed the stored hashes.)"""
    embargo = item.embargo_until
    fields = (
        item.headline, item.byline, item.dateline_place, item.body_html, item.signoff,
        item.pub_status, embargo.astimezone(UTC).isoformat() if embargo is not None else "",
    )  # fmt: skip
    return hashlib.sha256("\x00".join(fields).encode()).hexdigest()


def _read(source: Source, data: bytes, origin: str) -> _Arrival:
    """Parse the bytes; a failure becomes the arrival's reason."""
    limit = settings.DATELINE_WIRE_MAX_BYTES
    if len(data) > limit:
        # Too big to keep: the refusal is recorded, the bytes are not.
        return _Arrival(
            origin=origin,
            size=len(data),
            sha256=sha256_of(data),
            reason=(
                f"over the {limit}-byte limit (DATELINE_WIRE_MAX_BYTES); its bytes are not kept"
            ),
        )
    arrival = _Arrival(origin=origin, size=len(data), sha256=sha256_of(data))
    arrival.data = data
    try:
        parser, root = detect_parser(data, format_hint=source.format)
        arrival.format = parser.format
        parsed = parser.parse(data, root)
        for position, item in enumerate(parsed, 1):
            # One item that cannot be stored does not take its envelope's others with it.
            try:
                if isinstance(item, ParseError):
                    raise item
                arrival.items.append(_normalised(parser.refine(item)))
            except ParseError as error:
                guid = getattr(item, "guid", "") if isinstance(item, ParsedItem) else ""
                reason = (
                    f"item {position} of {len(parsed)}: {error}" if len(parsed) > 1 else str(error)
                )
                arrival.refused.append((str(guid)[:500], reason))
        if arrival.refused and not arrival.items:
            arrival.reason = "; ".join(reason for _guid, reason in arrival.refused)
            arrival.refused = []
    except ParseError as error:
        arrival.reason = str(error)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError,
            OverflowError, UnicodeError) as error:  # fmt: skip
        arrival.reason = f"could not be read ({type(error).__name__}: {error})"
    return arrival


# C0 controls other than tab, newline and carriage return, and lone surrogates: no
# database or HTML page wants them (PostgreSQL refuses NUL in text).
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_UNSTORABLE_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _storable(value: str) -> str:
    """``value`` without _UNSTORABLE characters. ASCII text (most of what arrives) is
    asked by a byte deletion, in C and several times faster than the regex's scan."""
    if value.isascii():
        encoded = value.encode()
        if len(encoded.translate(None, _UNSTORABLE_BYTES)) == len(encoded):
            return value
    return _UNSTORABLE.sub("", value)


_EARLIEST, _LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


_TEXT_FIELDS = ("guid", "headline", "byline", "dateline_place", "language", "body_html",
                "signoff", "ednote", "pub_status")  # fmt: skip
_TEXT_VALUES = operator.attrgetter(*_TEXT_FIELDS)


def _normalised(item: ParsedItem) -> ParsedItem:
    """Make a parsed item storable: drop unstorable characters, and refuse times
    outside 1900-2200 (a typo in a year must not become a date in year 9999)."""
    values = _TEXT_VALUES(item)
    for name, value in zip(_TEXT_FIELDS, values, strict=True):
        if not isinstance(value, str):
            raise ParseError(f"{name} is not text ({type(value).__name__})")
    # Asked of all fields at once (one pass in C); field by field only when something
    # in them is to be dropped, which dropping makes shorter.
    joined = "".join(values)
    if len(_storable(joined)) != len(joined):
        for name, value in zip(_TEXT_FIELDS, values, strict=True):
            setattr(item, name, _storable(value))
    # The lengths the pool stores (so the content hash is of what is stored).
    item.byline, item.dateline_place = item.byline[:300], item.dateline_place[:200]
    item.language, item.signoff = item.language[:20], item.signoff[:200]
    if not item.guid.strip():
        raise ParseError("the item has an empty identifier (guid/uri)")
    item.keywords = [_storable(str(k)) for k in item.keywords]
    item.subjects = [
        {key: _storable(str(value)) for key, value in subject.items()} for subject in item.subjects
    ]
    if item.dateline_at is not None and not _EARLIEST <= item.dateline_at < _LATEST:
        item.dateline_at = None
    if item.version_created is not None and not _EARLIEST <= item.version_created < _LATEST:
        item.version_created = None
    if item.embargo_until is not None and not _EARLIEST <= item.embargo_until < _LATEST:
        raise ParseError(f"embargo time {item.embargo_until.isoformat()} is out of range")
    return item


def deliveries_ingest(*, source: Source, deliveries: list[tuple[str, bytes]]) -> list[IngestResult]:
    """Keep and ingest ``deliveries`` ((origin, bytes) pairs) as one batch. Returns
    one result per item, or one per delivery that is a duplicate or quarantined.
    Never raises for bad content. The raw bytes are kept in the same transaction
    as the deliveries' records."""
    with _collector_paused():
        arrivals = [_read(source, data, origin) for origin, data in deliveries]
        results = _commit_isolating(source, arrivals)
    wire_outcomes(source.slug, (result.status for result in results))
    return results


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off for one batch. A batch allocates many
    short-lived objects (parse trees' proxies, rows, results) and almost no cycles,
    yet each allocation burst triggers collections that walk every tracked object of
    the process (Django's, numpy's): 12-18% of ingest's CPU. The batch is bounded
    (its deliveries), so memory stays bounded; whatever cycles it leaves are
    collected as usual once the collector is back on. Another thread's batch may
    turn it back on early: that only costs time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _commit_isolating(source: Source, arrivals: list[_Arrival]) -> list[IngestResult]:
    """Commit the batch; when the database refuses something in it, commit its
    deliveries one by one so that only the culprit is quarantined (with the
    database's reason) and the rest of the batch goes on."""
    try:
        return _commit_retrying(source, arrivals)
    except DatabaseError as error:
        if isinstance(error, IntegrityError) and len(arrivals) == 1:
            raise
        if len(arrivals) > 1:
            return [r for arrival in arrivals for r in _commit_isolating(source, [arrival])]
        arrival = arrivals[0]
        arrival.reason = f"could not be stored ({type(error).__name__}: {error})".strip()
        arrival.items = []
        return _commit_retrying(source, arrivals)


def _commit_retrying(source: Source, arrivals: list[_Arrival]) -> list[IngestResult]:
    for attempt in range(3):
        for arrival in arrivals:
            arrival.delivery, arrival.duplicate_of = None, None
        try:
            with transaction.atomic():
                return _commit(source, arrivals)
        except IntegrityError:
            # A concurrent ingest of the same delivery or guid committed first:
            # read the pool again and redo the batch's decisions.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def delivery_ingest(*, source: Source, data: bytes, origin: str) -> list[IngestResult]:
    """One delivery (a push, a dropped file); see ``deliveries_ingest``."""
    return deliveries_ingest(source=source, deliveries=[(origin, data)])


# The ingest path's look-ups by natural key, in plain SQL (building the equivalent ORM
# queries cost more than running them); no ORDER BY, which would lead SQLite to walk
# a date index instead of looking the keys up.
_DELIVERY_IDS_SQL = "SELECT sha256, id FROM wire_delivery WHERE source_id = %s AND sha256 IN ({})"
_VERSIONS_SQL = (
    "SELECT id, guid, version, is_current, content_hash, cluster_key, pub_status,"
    " version_created_at FROM wire_wireitem WHERE source_id = %s AND guid IN ({})"
)
_ITEM_IDS_SQL = "SELECT id, guid, version FROM wire_wireitem WHERE source_id = %s AND guid IN ({})"


def _commit(source: Source, arrivals: list[_Arrival]) -> list[IngestResult]:
    known = dict(fetch_in(_DELIVERY_IDS_SQL, [source.pk], {a.sha256 for a in arrivals}))
    fresh = []
    for arrival in arrivals:
        if arrival.sha256 in known:
            arrival.duplicate_of = known[arrival.sha256]
            continue
        arrival.delivery = SimpleNamespace(
            pk=None,
            source_id=source.pk,
            sha256=arrival.sha256,
            size=arrival.size,
            origin=arrival.origin[:500],
            format=arrival.format,
            status=Delivery.Status.QUARANTINED if arrival.reason else Delivery.Status.ACCEPTED,
            reason=arrival.reason,
            item_count=len(arrival.items),
        )
        known[arrival.sha256] = None  # the same bytes twice in one batch: once
        fresh.append(arrival)
    raw_store_many({a.sha256: a.data for a in fresh if a.data is not None})
    insert_rows(Delivery, [a.delivery for a in fresh])
    ids = dict(fetch_in(_DELIVERY_IDS_SQL, [source.pk], [a.sha256 for a in fresh]))
    for arrival in fresh:
        arrival.delivery.pk = ids[arrival.sha256]
        known[arrival.sha256] = arrival.delivery.pk
        if arrival.reason:
            logger.warning(
                "%s: %s; kept as delivery %s, quarantined",
                arrival.origin, arrival.reason, arrival.delivery.pk,
            )  # fmt: skip
    item_results = _pool_store(source, [a for a in fresh if not a.reason])
    duplicates = [a for a in arrivals if a.duplicate_of is not None or a.delivery is None]
    earlier = _earlier_deliveries({a.duplicate_of or known[a.sha256] for a in duplicates})
    results = []
    for arrival in arrivals:
        if arrival.duplicate_of is not None or arrival.delivery is None:
            delivery_id = arrival.duplicate_of or known.get(arrival.sha256)
            reason, item = earlier[delivery_id]
            result = IngestResult(
                path=arrival.origin, status="duplicate", format=arrival.format,
                delivery_id=delivery_id, reason=reason,
            )  # fmt: skip
            if item is not None:
                result.guid, result.version, result.headline = item
            results.append(result)
        elif arrival.reason:
            results.append(
                IngestResult(
                    path=arrival.origin, status="quarantined", format=arrival.format,
                    reason=arrival.reason, delivery_id=arrival.delivery.pk,
                )
            )  # fmt: skip
        else:
            results.extend(item_results[id(arrival)])
    return results


def _earlier_deliveries(delivery_ids) -> dict[int, tuple[str, tuple | None]]:
    """For deliveries received before: the reason a duplicate of one gets (why that
    one was refused, if it was), and its item's guid, version and headline when it
    carried one item."""
    if not delivery_ids:
        return {}
    items: dict[int, list] = {}
    for delivery_id, guid, version, headline in fetch_in(
        "SELECT delivery_id, guid, version, headline FROM wire_wireitem WHERE delivery_id IN ({})",
        [], delivery_ids,
    ):  # fmt: skip
        items.setdefault(delivery_id, []).append((guid, version, headline))
    earlier = {}
    for delivery_id, status, reason in fetch_in(
        "SELECT id, status, reason FROM wire_delivery WHERE id IN ({})", [], delivery_ids
    ):
        said = "the same bytes as a delivery already received (the delivery given)"
        if status in (Delivery.Status.QUARANTINED, Delivery.Status.PARTIAL):
            said += f", {Delivery.Status(status).label.lower()}: {reason}"
        found = items.get(delivery_id, [])
        earlier[delivery_id] = (said, found[0] if len(found) == 1 else None)
    return earlier


@dataclass
class _GuidState:
    current: SimpleNamespace | None  # the current version's row, as _VERSIONS_SQL reads it
    versions: dict  # version number: its content hash


def _pool_store(source: Source, arrivals: list[_Arrival]) -> dict[int, list[IngestResult]]:
    guids = list({item.guid[:500] for a in arrivals for item in a.items})
    states: dict[str, _GuidState] = {guid: _GuidState(None, {}) for guid in guids}
    for pk, guid, version, is_current, content_hash, cluster_key, pub_status, created in fetch_in(
        _VERSIONS_SQL, [source.pk], guids
    ):
        state = states[guid]
        state.versions[version] = content_hash
        if is_current:
            state.current = SimpleNamespace(
                pk=pk, version=version, is_current=True, content_hash=content_hash,
                cluster_key=cluster_key, pub_status=pub_status, version_created_at=aware(created),
            )  # fmt: skip
    to_create: list[WireItem] = []
    demoted_ids: list[int] = []
    killed_ids: list[int] = []
    killed_guids: set[str] = set()
    results: dict[int, list[IngestResult]] = {}
    for arrival in arrivals:
        out = results[id(arrival)] = [
            IngestResult(
                path=arrival.origin,
                status="quarantined",
                format=arrival.format,
                guid=guid,
                reason=reason,
                delivery_id=arrival.delivery.pk,
            )  # fmt: skip
            for guid, reason in arrival.refused
        ]
        for item in arrival.items:
            guid = item.guid[:500]
            state = states[guid]
            current = state.current
            content_hash = _content_hash(item)
            version = item.version
            written_before_current = False
            if version is None:  # feeds: changed content under a known guid is a new version
                same = [v for v, known in state.versions.items() if known == content_hash]
                written = item.version_created
                current_written = current.version_created_at if current is not None else None
                written_after_current = bool(
                    written and current_written and written > current_written
                )
                if current is None:
                    version = 1
                elif current.content_hash == content_hash:
                    version = current.version
                elif same and not written_after_current:
                    version = same[0]  # a copy already in the history: unchanged
                else:
                    # Numbered in arrival order (an earlier text written again after the
                    # current one is a new version), but a copy written before the current
                    # one (where both say when) is history, never current: stale.
                    version = max(state.versions) + 1
                    written_before_current = bool(
                        written and current_written and written < current_written
                    )
            result = IngestResult(
                path=arrival.origin, status="", format=arrival.format, guid=item.guid,
                version=version, headline=item.headline, delivery_id=arrival.delivery.pk,
            )  # fmt: skip
            out.append(result)
            if version in state.versions:
                if (
                    current is not None
                    and version == current.version
                    and item.pub_status == WireItem.PubStatus.CANCELED
                    and getattr(current, "pub_status", None) != WireItem.PubStatus.CANCELED
                ):
                    # A kill re-sent under the same version number still kills.
                    if current.pk:
                        killed_ids.append(current.pk)
                    current.pub_status = WireItem.PubStatus.CANCELED
                    killed_guids.add(guid)
                    result.status = "updated"
                    continue
                if state.versions[version] != content_hash:
                    # The agency's version number says nothing changed; the text says
                    # otherwise. Neither copy is thrown away: the first stays in the
                    # pool, this one in its delivery; the operator is told.
                    result.status = "quarantined"
                    result.reason = (
                        f"version {version} of {item.guid} was received before with other "
                        "content; this copy is not applied (it is kept in its delivery): "
                        "ask the agency to send the change as a new version"
                    )
                    continue
                result.status = "unchanged"
                continue
            is_newest = (current is None or version > current.version) and not (
                written_before_current
            )
            wire_item = _wire_item(source, arrival.delivery, item, version, content_hash, is_newest)
            # Another version of a known story stays in that story's cluster.
            wire_item.cluster_key = current.cluster_key if current is not None else None
            to_create.append(wire_item)
            state.versions[version] = content_hash
            if not is_newest:
                result.status = "stale"  # kept as history, never over a newer version
                result.reason = f"version {version} arrived after version {current.version}"
                if written_before_current:
                    result.reason = (
                        f"written at {item.version_created.astimezone(UTC):%Y-%m-%d %H:%M} UTC,"
                        " before the current copy"
                        f" ({current.version_created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
                    )
                if (
                    item.pub_status == WireItem.PubStatus.CANCELED
                    and current.pub_status != WireItem.PubStatus.CANCELED
                ):
                    # A kill is a legal matter: it takes the story down even when it
                    # arrives after a later version (the versions stay in the history).
                    if current.pk:
                        killed_ids.append(current.pk)
                    current.pub_status = WireItem.PubStatus.CANCELED
                    killed_guids.add(guid)
                    result.status = "updated"
                    result.reason = (
                        f"a kill sent as version {version} arrived after version "
                        f"{current.version}: the story is killed"
                    )
                continue
            if current is not None:
                current.is_current = False
                if current.pk:
                    demoted_ids.append(current.pk)
            result.status = "new" if current is None else "updated"
            state.current = wire_item
    _deliveries_mark_refused(arrivals, results)
    _cluster(source, to_create)
    if killed_ids:
        WireItem.objects.filter(id__in=killed_ids).update(pub_status=WireItem.PubStatus.CANCELED)
    # Demote before inserting: one current version per guid is a database constraint.
    for start in range(0, len(demoted_ids), _CHUNK):
        WireItem.objects.filter(id__in=demoted_ids[start : start + _CHUNK]).update(is_current=False)
    insert_rows(WireItem, to_create)
    _bands_store(source, to_create)
    _pool_listeners_call(source, sorted({r.guid for r in to_create if r.is_current} | killed_guids))
    return results


def _deliveries_mark_refused(arrivals, results: dict[int, list[IngestResult]]) -> None:
    """A delivery with items the pool refused is quarantined (all of them) or partly
    quarantined (some), with their reasons, so that the admin lists it."""
    rows = []
    for arrival in arrivals:
        out = results[id(arrival)]
        refused = [result for result in out if result.status == "quarantined"]
        if refused:
            status = (
                Delivery.Status.QUARANTINED if len(refused) == len(out) else Delivery.Status.PARTIAL
            )
            reason = "; ".join(result.reason for result in refused)
            rows.append((status, reason, arrival.delivery.pk))
            logger.warning(
                "%s: %s; kept as delivery %s, %s",
                arrival.origin, reason, arrival.delivery.pk, Delivery.Status(status).label.lower(),
            )  # fmt: skip
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE wire_delivery SET status = %s, reason = %s WHERE id = %s", rows
            )


def _pool_listeners_call(source: Source, guids: list[str]) -> None:
    """Tell the pool's listeners (the desk: settings.DATELINE_POOL_LISTENERS) which
    guids have a new current version or were killed, inside the ingest's transaction."""
    if not guids:
        return
    for path in getattr(settings, "DATELINE_POOL_LISTENERS", ()):
        import_string(path)(source=source, guids=guids)


_CANDIDATES_SQL = (
    "SELECT b.band_key, b.at, w.cluster_key, w.minhash FROM wire_clusterband b"
    " JOIN wire_wireitem w ON w.id = b.item_id WHERE b.period = %s AND b.band_key IN ({})"
    " AND b.at >= %s AND b.at <= %s"
)


_NONE: dict = {}


def _cluster(source: Source, records) -> None:
    """Give each record its MinHash signature and cluster (see clusters.py): the
    cluster of the most similar item near its time (in the pool, or earlier in
    this batch) when similar enough, else a cluster of its own."""
    if not records:
        return
    now = timezone.now()
    signatures = clusters.signatures([(r.headline, r.body_html) for r in records])
    for record, signature, bands in zip(
        records, signatures, clusters.band_keys_many(signatures), strict=True
    ):
        record.minhash, record.bands = signature.tobytes(), bands
        record.at = record.dateline_at or now
        record.period = clusters.period_of(record.at)
    window = clusters.window()
    # Per band, the clusters having it per period, each as (time, cluster key,
    # signature of its latest item there): what the band table holds, as the rows
    # of this batch update it.
    candidates: dict[int, dict[tuple, tuple]] = {}
    matching = [r for r in records if r.cluster_key is None]
    if matching:
        # The bands each period around the items' times is asked for: a batch of
        # recent items asks two or three periods, whatever the pool's size.
        wanted: dict[int, set] = {}
        for record in matching:
            for period in clusters.periods_around(record.at, window):
                wanted.setdefault(period, set()).update(record.bands)
        adapt = connection.ops.adapt_datetimefield_value
        low = adapt(min(r.at for r in matching) - window)
        high = adapt(max(r.at for r in matching) + window)
        with connection.cursor() as cursor:
            for period, band_keys in sorted(wanted.items()):
                band_keys = list(band_keys)
                for start in range(0, len(band_keys), _CHUNK):
                    chunk = band_keys[start : start + _CHUNK]
                    sql = _CANDIDATES_SQL.format(", ".join(["%s"] * len(chunk)))
                    cursor.execute(sql, [period, *chunk, low, high])
                    for band_key, at, cluster_key, minhash in cursor.fetchall():
                        found = candidates.setdefault(band_key, {})
                        if len(found) < clusters.MAX_CANDIDATES_PER_BAND:
                            found[period, cluster_key] = (aware(at), cluster_key, bytes(minhash))
    first_of_guid = {}
    for record in records:
        earlier = first_of_guid.setdefault(record.guid, record)
        if record.cluster_key is None and earlier is not record:
            record.cluster_key = earlier.cluster_key  # another version of one story
        if record.cluster_key is None:
            # Each distinct candidate once, scored in one numpy operation.
            seen, keys, signatures = set(), [], []
            for band_key in record.bands:
                for at, cluster_key, minhash in candidates.get(band_key, _NONE).values():
                    if minhash in seen or abs(at - record.at) > window:
                        continue
                    seen.add(minhash)
                    keys.append(cluster_key)
                    signatures.append(minhash)
            best_score = 0.0
            if signatures:
                scores = clusters.similarities(record.minhash, signatures)
                best = int(scores.argmax())
                best_score = float(scores[best])
            if best_score >= clusters.THRESHOLD:
                record.cluster_key, record.cluster_score = keys[best], best_score
            else:
                record.cluster_key = f"{source.pk}:{record.guid}"
        if record.newest_on_arrival:  # later items of this batch can match it
            key = (record.period, record.cluster_key)
            entry = (record.at, record.cluster_key, record.minhash)
            for band_key in record.bands:
                found = candidates.get(band_key)
                if found is None:  # most bands of a batch are new to it
                    candidates[band_key] = {key: entry}
                    continue
                earlier = found.get(key)
                if earlier is None or earlier[0] <= record.at:
                    found[key] = entry
                else:
                    found[key] = (earlier[0], record.cluster_key, record.minhash)


def _bands_store(source: Source, records) -> None:
    """Index the new items' bands (their ids are read back: the insert is raw)."""
    if not records:
        return
    ids = {
        (guid, version): pk
        for pk, guid, version in fetch_in(_ITEM_IDS_SQL, [source.pk], {r.guid for r in records})
    }
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for record in records:
        # Stale versions are not matched against. A version superseded later in this
        # batch is indexed all the same (its rows then follow the newer version), as
        # if the batch's deliveries had arrived one by one.
        if not record.newest_on_arrival:
            continue
        item_id, at = ids[(record.guid, record.version)], adapt(record.at)
        cluster, period = clusters.cluster_hash(record.cluster_key), record.period
        rows.extend((period, band_key, cluster, item_id, at) for band_key in record.bands)
    # Standard upsert (SQLite 3.24+, PostgreSQL): the cluster's row follows its latest item.
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO wire_clusterband (period, band_key, cluster_hash, item_id, at)"
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (period, band_key, cluster_hash) DO UPDATE SET item_id = excluded.item_id,"
            " at = CASE WHEN excluded.at > wire_clusterband.at THEN excluded.at ELSE wire_clusterband.at END",
            rows,
        )


def _wire_item(source, delivery, item: ParsedItem, version, content_hash, is_current):
    """A row for ``insert_rows`` (a plain record: model instances cost more than the insert)."""
    return SimpleNamespace(
        pk=None,
        source_id=source.pk,
        delivery_id=delivery.pk,
        guid=item.guid[:500],
        version=version,
        is_current=is_current,
        format=delivery.format,
        headline=item.headline,
        byline=item.byline,
        dateline_place=item.dateline_place,
        dateline_at=item.dateline_at,
        language=item.language,
        urgency=item.urgency,
        subjects=item.subjects,
        keywords=item.keywords,
        body_html=item.body_html,
        signoff=item.signoff,
        ednote=item.ednote,
        embargo_until=item.embargo_until,
        version_created_at=item.version_created,
        pub_status=item.pub_status,
        content_hash=content_hash,
        cluster_key=None,
        cluster_score=None,
        minhash=b"",
        newest_on_arrival=is_current,  # not a column: is_current may change in the batch
    )


@transaction.atomic
def delivery_receive(*, source: Source, data: bytes, origin: str) -> tuple[Delivery, bool]:
    """Keep a pushed delivery's bytes and record it as pending; the worker parses it
    (``tasks.delivery_process``). Returns (delivery, created): the same bytes again
    give the delivery already recorded."""
    from .tasks import delivery_process

    sha256 = sha256_of(data)
    existing = Delivery.objects.filter(source=source, sha256=sha256).first()
    if existing is None:
        raw_store_many({sha256: data})
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    source=source, sha256=sha256, size=len(data), origin=origin[:500],
                    status=Delivery.Status.PENDING,
                )  # fmt: skip
        except IntegrityError:  # the same bytes pushed twice at once: one record
            existing = Delivery.objects.get(source=source, sha256=sha256)
        else:
            transaction.on_commit(lambda: delivery_process.enqueue(delivery.pk))
            return delivery, True
    if existing.status == Delivery.Status.PENDING:  # its task may be lost: queue it again
        transaction.on_commit(lambda: delivery_process.enqueue(existing.pk))
    return existing, False


def delivery_quarantine(*, source: Source, data: bytes, origin: str, reason: str) -> IngestResult:
    """Keep bytes that cannot be opened as deliveries at all (a damaged archive) as one
    quarantined delivery with ``reason``, so that the admin lists it."""
    sha256 = sha256_of(data)
    raw_store_many({sha256: data})
    delivery, _ = Delivery.objects.get_or_create(
        source=source, sha256=sha256,
        defaults={"size": len(data), "origin": origin[:500], "reason": reason,
                  "status": Delivery.Status.QUARANTINED},
    )  # fmt: skip
    return IngestResult(
        path=origin, status="quarantined", reason=delivery.reason, delivery_id=delivery.pk
    )


def delivery_rerun(*, delivery: Delivery) -> list[IngestResult]:
    """Parse a quarantined (or partly quarantined) delivery again from its kept bytes
    (after a parser fix). It stays quarantined, with the new reason, when it still
    cannot be read."""
    if delivery.status not in (Delivery.Status.QUARANTINED, Delivery.Status.PARTIAL):
        raise ValueError(f"delivery {delivery.pk} is not quarantined")
    return delivery_reprocess(delivery=delivery)


def delivery_reprocess(*, delivery: Delivery) -> list[IngestResult]:
    """Parse a kept delivery (pending or quarantined) into the pool."""
    results = _reprocess(delivery)
    wire_outcomes(delivery.source.slug, (result.status for result in results))
    return results


def _reprocess(delivery: Delivery) -> list[IngestResult]:
    try:
        data = raw_read(delivery.sha256)
    except RawDelivery.DoesNotExist:  # refused as too large: nothing was kept
        return [IngestResult(path=delivery.origin, status="quarantined", reason=delivery.reason)]
    arrival = _read(delivery.source, data, delivery.origin)
    if arrival.reason:
        delivery.status, delivery.reason = Delivery.Status.QUARANTINED, arrival.reason
        delivery.format = arrival.format
        delivery.save(update_fields=["status", "reason", "format"])
        return [IngestResult(path=delivery.origin, status="quarantined", reason=arrival.reason)]
    with transaction.atomic():
        delivery.status, delivery.reason = Delivery.Status.ACCEPTED, ""
        delivery.format, delivery.item_count = arrival.format, len(arrival.items)
        delivery.save(update_fields=["status", "reason", "format", "item_count"])
        arrival.delivery = delivery
        return _pool_store(delivery.source, [arrival])[id(arrival)]
