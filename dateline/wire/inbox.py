"""Inbox folders: files an agency drops (or uploads by SFTP) into
``DATELINE_INBOX_DIR/<source slug>/``, read as ``dateline ingest`` reads files, then
removed once their bytes are kept. ``tasks.inboxes_scan`` runs a scan every 15 s."""

import errno
import itertools
import logging
import os
import stat
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from . import archives
from .models import Source
from .services import deliveries_ingest

logger = logging.getLogger("dateline.wire")

# A file younger than this may still be being written by the agency's upload.
SETTLE_SECONDS = 2.0
# Names uploads are written under until their last rename (WinSCP's and FileZilla's
# .filepart, curl's and browsers' .part, ...); names starting with a dot (rsync's
# temporaries, editors') are left alone too.
UPLOAD_SUFFIXES = (".tmp", ".part", ".filepart", ".partial")
# A batch is read and written to the pool in a few queries (as by ``dateline ingest``).
BATCH = 200
BATCH_BYTES = 16 * 1024 * 1024


def inbox_of(source: Source) -> Path:
    return Path(settings.DATELINE_INBOX_DIR) / source.slug


def inbox_scan(source: Source) -> Counter:
    """Ingest the files waiting in ``source``'s inbox folder (see tasks.inboxes_scan);
    returns how many of each outcome."""
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
