"""Background tasks of the wire: inbox folders and polled feeds. Each is safe to
run twice: the same bytes again are a duplicate and change nothing."""

import errno
import itertools
import logging
import os
import stat
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.tasks import task

from dateline.worker import locks

from . import archives
from .models import Source
from .services import deliveries_ingest

logger = logging.getLogger("dateline.wire")

# HTTP and HTTPS only, redirects included (urllib's default opener also speaks ftp: and file:).
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.HTTPHandler,
    urllib.request.HTTPSHandler,
    urllib.request.HTTPRedirectHandler,
    urllib.request.HTTPDefaultErrorHandler,
    urllib.request.HTTPErrorProcessor,
):
    _OPENER.add_handler(_handler())


class _HTTPOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise urllib.error.HTTPError(
                newurl, code, "redirect to a non-HTTP URL refused", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER.add_handler(_HTTPOnlyRedirects())

# A file younger than this may still be being written by the agency's upload.
SETTLE_SECONDS = 2.0
# Names uploads are written under until their last rename (WinSCP's and FileZilla's
# .filepart, curl's and browsers' .part, ...); names starting with a dot (rsync's
# temporaries, editors') are left alone too.
UPLOAD_SUFFIXES = (".tmp", ".part", ".filepart", ".partial")
# A batch is read and written to the pool in a few queries (as by ``dateline ingest``).
BATCH = 200
BATCH_BYTES = 16 * 1024 * 1024
# How long a scan may hold its source's lock at most (Redis frees it then).
INBOX_LOCK_SECONDS = 600


def inbox_of(source: Source) -> Path:
    return Path(settings.DATELINE_INBOX_DIR) / source.slug


@task()
def inboxes_scan() -> dict:
    """Ingest the files waiting in every inbox source's folder, then remove them
    (their bytes are kept as raw deliveries); zip and tar archives member by member,
    as ``dateline ingest`` reads them. Hidden files, upload temporaries and files
    still being written are left for a later scan; folders, links and other
    non-files are left alone and named in a warning, as are files that cannot be
    read. A file whose bytes cannot all be kept (over the size limit) is moved to
    the folder's ``.refused/`` (its refusal is recorded). One source's trouble does
    not stop the others."""
    counts = {}
    for source in Source.objects.filter(is_active=True, delivery_method=Source.Method.INBOX):
        try:
            # A scan that outlasts its 15 s period would overlap the next one on
            # another worker: both would read and parse the same files.
            with locks.exclusive(f"inbox-scan:{source.slug}", timeout=INBOX_LOCK_SECONDS) as held:
                if not held:
                    counts["sources busy"] = counts.get("sources busy", 0) + 1
                    continue
                for status, number in _inbox_scan(source).items():
                    counts[status] = counts.get(status, 0) + number
        except Exception:
            logger.exception("inbox of %s could not be scanned", source.slug)
            counts["failed sources"] = counts.get("failed sources", 0) + 1
    return counts


def _inbox_scan(source: Source) -> Counter:
    folder = inbox_of(source)
    folder.mkdir(parents=True, exist_ok=True)
    ready, left_alone = _inbox_list(folder)
    if left_alone:
        logger.warning("inbox %s: not read, left alone: %s", folder, "; ".join(left_alone))
    batch = _InboxBatch(source)
    unreadable = []
    for path in ready:
        try:
            batch.files_read.append(_inbox_read(path, batch))
        except FileNotFoundError:  # taken by a concurrent scan, or renamed
            continue
        except OSError as error:  # this file only: the others are read
            unreadable.append(f"{path.name} ({type(error).__name__}: {error.strerror or error})")
    batch.flush()
    if unreadable:
        logger.warning(
            "inbox %s: could not be read, left in place: %s", folder, "; ".join(unreadable)
        )
    counts = batch.counts
    for what, names in (("left alone", left_alone), ("unreadable", unreadable)):
        if names:
            counts[what] = len(names)
    return counts


def _inbox_list(folder: Path) -> tuple[list[Path], list[str]]:
    """The folder's files ready to read, in name order, and what is left alone, with why."""
    now = time.time()
    ready, left_alone = [], []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name.startswith(".") or entry.name.lower().endswith(UPLOAD_SUFFIXES):
                continue  # hidden, or still being uploaded: read once renamed
            try:
                status = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            except OSError as error:
                left_alone.append(f"{entry.name} (cannot be examined: {error.strerror})")
                continue
            if stat.S_ISLNK(status.st_mode):
                # A link could point anywhere on this machine: never followed.
                left_alone.append(f"{entry.name} (a symbolic link: links are not followed)")
            elif stat.S_ISDIR(status.st_mode):
                left_alone.append(f"{entry.name}/ (a folder: only the inbox's own files are read)")
            elif not stat.S_ISREG(status.st_mode):
                # Opening a FIFO waits for a writer; a device may act when opened.
                left_alone.append(f"{entry.name} (not a regular file: a FIFO, socket or device)")
            elif now - status.st_mtime >= SETTLE_SECONDS:
                ready.append(Path(entry.path))
    return ready, left_alone


@dataclass
class _InboxFile:
    """A file read from an inbox: what it was when read, and whether some of its bytes
    could not be kept (it then goes to ``.refused/`` instead of being removed)."""

    path: Path
    identity: tuple
    refuse: bool = False


def _identity(status: os.stat_result) -> tuple:
    # The change time moves with every write and rename and, unlike the modification
    # time, cannot be set back (utime(2) sets it to now): with the inode and the size
    # it tells whether a name still holds the bytes that were read.
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


class _InboxBatch:
    """Deliveries read from an inbox, ingested a batch at a time; each file is settled
    (removed, or moved to ``.refused/``) once every delivery read from it is committed."""

    def __init__(self, source: Source):
        self.source = source
        self.deliveries, self.size = [], 0
        self.files_read: list[_InboxFile] = []
        self.counts = Counter()

    def add(self, origin: str, data: bytes) -> None:
        self.deliveries.append((origin, data))
        self.size += len(data)
        if len(self.deliveries) >= BATCH or self.size >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.deliveries:
            results = deliveries_ingest(source=self.source, deliveries=self.deliveries)
            self.counts.update(result.status for result in results)
            self.deliveries, self.size = [], 0
        files, self.files_read = self.files_read, []
        for read in files:
            try:
                _inbox_settle(read)
            except OSError as error:  # its bytes are kept: read again, it is a duplicate
                logger.warning("inbox file %s is ingested but stays: %s", read.path, error)


def _inbox_read(path: Path, batch: _InboxBatch) -> _InboxFile:
    """Read one inbox file into ``batch``: its bytes, or each member of a zip or tar
    archive. Raises OSError when the file cannot be opened or read."""
    # O_NOFOLLOW, O_NONBLOCK: a link or a FIFO put in the file's place since it was
    # listed is refused, not followed or waited on (opening a FIFO waits for a writer).
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with open(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "no longer a regular file", str(path))
        read = _InboxFile(path=path, identity=_identity(status))
        damaged = None
        for origin, load in archives.deliveries_in(handle, str(path)):
            try:
                data = load()
            except archives.NotAFile as error:  # a link in a tar archive: no bytes to keep
                batch.counts["quarantined"] += 1
                logger.warning("inbox file %s: %s", origin, error)
                continue
            except archives.DamagedArchive as error:
                damaged = error
                continue
            except archives.READ_ERRORS as error:  # one member (a bad CRC): the others are read
                damaged = damaged or archives.DamagedArchive(str(path), error, handle)
                continue
            read.refuse |= len(data) > settings.DATELINE_WIRE_MAX_BYTES
            batch.add(origin, data)
        if damaged is not None:
            # ``dateline ingest`` reports a member it cannot read and leaves the archive to
            # its operator; an inbox file is removed once read, so its own bytes are kept
            # instead, as one quarantined delivery (or the file goes to .refused/).
            kept = archives.damaged_keep(
                source=batch.source, origin=f"{path} (archive)", damaged=damaged
            )
            batch.counts[kept.status] += 1
            read.refuse |= kept.delivery_id is None
    return read


def _inbox_settle(read: _InboxFile) -> None:
    """Remove a file whose bytes are all kept, or move it to ``.refused/``; either only
    while its name still holds the bytes that were read. A file rewritten under the
    same name meanwhile (an agency's upload of ``latest.xml`` again) is left for the
    next scan. (The check and the removal are two steps: a rewrite in the microseconds
    between them would still be lost. Renaming each file aside before reading it would
    not stop a writer that holds the file open either, and would leave renamed files to
    recover after a crash: the check is the simpler.)"""
    try:
        unchanged = _identity(os.lstat(read.path)) == read.identity
    except FileNotFoundError:
        return
    if not unchanged:
        logger.info("inbox file %s changed while it was read: read again next scan", read.path)
    elif read.refuse:
        kept = _refused_keep(read.path)
        logger.warning("inbox file %s could not all be kept: moved to %s", read.path, kept)
    else:  # committed: its bytes are in the database
        read.path.unlink(missing_ok=True)


def _refused_keep(path: Path) -> Path:
    """Move ``path`` into its folder's ``.refused/`` under a name of its own, the time
    first (``ls`` lists them in order): a file there is the only copy of its bytes, and
    link(2) refuses an existing name where rename(2) would replace it."""
    refused = path.parent / ".refused"
    refused.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    for counter in itertools.count(1):
        target = refused / (
            f"{stamp}-{path.name}" if counter == 1 else f"{stamp}-{counter}-{path.name}"
        )
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        path.unlink(missing_ok=True)
        return target


@task()
def feeds_poll() -> dict:
    """Poll every feed source, each with a conditional GET."""
    outcomes = {}
    sources = Source.objects.filter(is_active=True, delivery_method=Source.Method.POLL)
    for source in sources.exclude(feed_url=""):
        try:
            outcomes[source.slug] = feed_poll(source)
        except Exception as error:  # one feed's trouble does not stop the others
            logger.warning("feed %s could not be polled: %s", source.slug, error)
            outcomes[source.slug] = f"failed: {type(error).__name__}: {error}"
    return outcomes


@task()
def deliveries_pending_sweep() -> int:
    """Queue again the pushed deliveries still pending after a few minutes (their task
    was lost with a crash, or gave up): nothing received stays unprocessed."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Delivery

    stale = Delivery.objects.filter(
        status=Delivery.Status.PENDING, received_at__lt=timezone.now() - timedelta(minutes=3)
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in stale[:1000]:
        delivery_process.enqueue(delivery_id)
        count += 1
    return count


def feed_poll(source: Source, *, timeout: float = 20.0) -> str:
    """Fetch ``source.feed_url`` unless unchanged (ETag / Last-Modified → 304) and
    ingest it. Returns what happened, for the task's result and the logs."""
    if not source.feed_url.lower().startswith(("http://", "https://")):
        return "refused: only http and https feed URLs are polled"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        source.feed_url, headers={"User-Agent": "Dateline feed poller"}
    )
    if source.feed_etag:
        request.add_header("If-None-Match", source.feed_etag)
    if source.feed_last_modified:
        request.add_header("If-Modified-Since", source.feed_last_modified)
    if source.credentials and ":" in source.credentials:
        import base64

        token = base64.b64encode(source.credentials.encode()).decode()
        # Unredirected: the login never follows a redirect to another host.
        request.add_unredirected_header("Authorization", f"Basic {token}")
    limit = settings.DATELINE_WIRE_MAX_BYTES
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read(limit + 1)
            etag, modified = (
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return "not modified"
        logger.warning("feed %s answered %s", source.slug, error.code)
        raise  # the worker retries with backoff
    results = deliveries_ingest(source=source, deliveries=[(source.feed_url, body)])
    Source.objects.filter(pk=source.pk).update(
        feed_etag=etag[:300], feed_last_modified=modified[:100]
    )
    statuses = sorted({r.status for r in results})
    return ", ".join(statuses)


@task()
def delivery_process(delivery_id: int) -> list[dict]:
    """Parse a received (pushed) delivery into the pool."""
    from .models import Delivery
    from .services import delivery_reprocess

    delivery = Delivery.objects.select_related("source").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == Delivery.Status.ACCEPTED:
        return []  # gone, or already done by an earlier run of this task
    return [result.as_dict() for result in delivery_reprocess(delivery=delivery)]
