"""Agency files as deliveries: a file's own bytes, or each member of a zip or tar
archive. ``dateline ingest`` and the inbox scan (tasks.py) both read files through
here, so that an archive dropped in an inbox is read as the command reads it."""

import tarfile
import zipfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.conf import settings

from .models import Source
from .services import IngestResult, delivery_quarantine

# What reading a damaged or hostile file can raise: zipfile and tarfile raise more than
# their own errors (EOFError for a gzip stream cut short, RuntimeError for an encrypted
# zip member, NotImplementedError for an unknown compression, ValueError for bad fields).
READ_ERRORS = (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError,
               NotImplementedError, ValueError)  # fmt: skip

Loader = Callable[[], bytes]


class DamagedArchive(Exception):
    """An archive that cannot be read to its end: its own bytes are kept, quarantined
    (``damaged_keep``)."""

    def __init__(self, name: str, error: Exception, handle: BinaryIO):
        super().__init__(f"damaged archive ({type(error).__name__}: {error})")
        self.name = name
        self.handle = handle  # the open file: its bytes are read from it, not by name again


class NotAFile(OSError):
    """An archive member that is no regular file (a link, a device): nothing to ingest."""


def deliveries_in(handle: BinaryIO, name: str) -> Iterator[tuple[str, Loader]]:
    """(origin, loader) pairs of one open file: its own bytes, or each member of a zip
    or tar archive, read when its loader is called (call it before asking for the next
    pair: the archive is open only meanwhile). A damaged archive gives one last pair
    whose loader raises DamagedArchive: reported, not fatal."""
    try:
        yield from _members(handle, name)
    except READ_ERRORS as error:
        damaged = DamagedArchive(name, error, handle)

        def fail(damaged=damaged):
            raise damaged

        yield f"{name} (archive)", fail


def _members(handle: BinaryIO, name: str) -> Iterator[tuple[str, Loader]]:
    limit = settings.DATELINE_WIRE_MAX_BYTES
    handle.seek(0)
    if zipfile.is_zipfile(handle):
        with zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                origin = f"{name}:{info.filename}"
                if info.file_size > limit:
                    # Read no more than the limit and one byte: enough to refuse it.
                    yield origin, lambda a=archive, i=info: a.open(i).read(limit + 1)
                else:
                    yield origin, lambda a=archive, i=info: a.read(i)
        return
    handle.seek(0)  # is_zipfile leaves the handle anywhere; is_tarfile reads from there
    if tarfile.is_tarfile(handle):
        with tarfile.open(fileobj=handle) as archive:
            for member in archive:
                if member.isdir():
                    continue
                origin = f"{name}:{member.name}"
                if not member.isfile():
                    yield origin, lambda m=member: _not_a_file(m)
                    continue
                yield origin, lambda a=archive, m=member: a.extractfile(m).read(limit + 1)
        return
    handle.seek(0)
    magic = handle.read(4)
    if magic == b"PK\x03\x04":
        raise zipfile.BadZipFile("a zip archive cut short: no central directory")
    if magic[:2] == b"\x1f\x8b":
        raise tarfile.ReadError("gzip-compressed, but not a readable tar archive")
    yield name, lambda: whole_read(handle)


def _not_a_file(member: tarfile.TarInfo):
    if member.issym() or member.islnk():
        kind = f"a {'symbolic' if member.issym() else 'hard'} link to {member.linkname!r}"
    else:
        kind = "a device or pipe"
    raise NotAFile(f"not a file but {kind}: nothing to ingest; add the file itself")


def whole_read(handle: BinaryIO) -> bytes:
    """The file's bytes up to the size limit and one byte more: enough to refuse it."""
    handle.seek(0)
    return handle.read(settings.DATELINE_WIRE_MAX_BYTES + 1)


def damaged_keep(*, source: Source, origin: str, damaged: DamagedArchive) -> IngestResult:
    """A damaged archive's own bytes, kept as a quarantined delivery (the admin lists
    it) when they fit the size limit; reported either way (``delivery_id`` None: not
    kept)."""
    limit = settings.DATELINE_WIRE_MAX_BYTES
    try:
        data = whole_read(damaged.handle)
    except OSError as error:
        return IngestResult(path=origin, status="quarantined", reason=f"unreadable: {error}")
    if len(data) > limit:
        reason = f"{damaged}; not kept: the archive is over the {limit}-byte limit"
        return IngestResult(path=origin, status="quarantined", reason=reason)
    return delivery_quarantine(source=source, data=data, origin=origin, reason=str(damaged))
