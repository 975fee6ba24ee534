"""``dateline ingest PATH...``: files, folders and zip/tar archives into the pool.

dateline ingest inbox/afp/ backfill-2017.zip --source afp
dateline ingest --json file.xml      # one JSON object per line per item
"""

import json
import sys
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dateline.wire.models import Source
from dateline.wire.services import (
    OUTCOMES,
    IngestResult,
    deliveries_ingest,
    delivery_quarantine,
)

# A batch is read and written to the pool in a few queries.
BATCH_FILES = 200
BATCH_BYTES = 16 * 1024 * 1024


def _files(paths):
    """(origin, loader) for every file under ``paths``; archives open member by member."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _one(child)
        elif path.is_file():
            yield from _one(path)
        else:
            yield str(path), None


class DamagedArchive(Exception):
    """An archive that cannot be read to its end: its own bytes are kept, quarantined."""

    def __init__(self, path: Path, error: Exception):
        super().__init__(f"damaged archive ({type(error).__name__}: {error})")
        self.path = path


class NotAFile(OSError):
    """An archive member that is no regular file (a link, a device): nothing to ingest."""


def _one(path: Path):
    """(origin, loader) pairs of one file, or of each member of an archive. A damaged
    archive yields one entry whose loader raises DamagedArchive (reported, not fatal)."""
    try:
        yield from _members(path)
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as error:  # fmt: skip
        damaged = DamagedArchive(path, error)

        def fail(damaged=damaged):
            raise damaged

        yield f"{path} (archive)", fail


def _members(path: Path):
    limit = settings.DATELINE_WIRE_MAX_BYTES
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                origin = f"{path}:{info.filename}"
                if info.file_size > limit:
                    # Read no more than the limit and one byte: enough to refuse it.
                    yield origin, lambda a=archive, i=info: a.open(i).read(limit + 1)
                else:
                    yield origin, lambda a=archive, i=info: a.read(i)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive:
                if member.isdir():
                    continue
                origin = f"{path}:{member.name}"
                if not member.isfile():
                    yield origin, lambda m=member: _not_a_file(m)
                    continue
                yield origin, lambda a=archive, m=member: a.extractfile(m).read(limit + 1)
    else:
        with path.open("rb") as handle:
            magic = handle.read(4)
        if magic == b"PK\x03\x04":
            raise zipfile.BadZipFile("a zip archive cut short: no central directory")
        if magic[:2] == b"\x1f\x8b":
            raise tarfile.ReadError("gzip-compressed, but not a readable tar archive")
        yield str(path), lambda p=path: _read_capped(p, limit)


def _not_a_file(member: tarfile.TarInfo):
    if member.issym() or member.islnk():
        kind = f"a {'symbolic' if member.issym() else 'hard'} link to {member.linkname!r}"
    else:
        kind = "a device or pipe"
    raise NotAFile(f"not a file but {kind}: nothing to ingest; add the file itself")


def _read_capped(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit + 1)


class Command(BaseCommand):
    help = "Ingest agency files, folders and zip/tar archives into the wire pool."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--source",
            default="manual",
            help="slug of the source (default: manual, created on demand)",
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per line per item")

    def handle(self, *args, paths, source, json, **options):
        source_obj = self._source(source)
        self.counts = Counter()
        self.as_json = json
        files = 0
        batch, batch_bytes = [], 0
        # Lazily: an archive stays open only while its members are read.
        self.bar = tqdm(unit="file", disable=json or None, file=sys.stderr)
        missing = []
        for origin, load in _files(paths):
            if load is None:  # not a delivery: the operator's typo, said at the end
                missing.append(origin)
                self.stderr.write(f"{origin}: no such file or folder")
                continue
            files += 1
            try:
                data = load()
            except DamagedArchive as damaged:
                self._report([self._keep_damaged(source_obj, origin, damaged)])
                continue
            except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError,
                    NotImplementedError, ValueError) as error:  # fmt: skip
                reason = str(error) if isinstance(error, NotAFile) else f"unreadable: {error}"
                self._report([IngestResult(path=origin, status="quarantined", reason=reason)])
                continue
            batch.append((origin, data))
            batch_bytes += len(data)
            if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                self._flush(source_obj, batch)
                batch, batch_bytes = [], 0
        if batch:
            self._flush(source_obj, batch)
        self.bar.close()
        if not json:
            summary = ", ".join(f"{self.counts[outcome]} {outcome}" for outcome in OUTCOMES)
            self.stdout.write(f"{files} files: {summary}")
        if missing:
            raise CommandError(f"{len(missing)} path(s) not found: {', '.join(missing)}")

    def _keep_damaged(self, source, origin, damaged: DamagedArchive) -> IngestResult:
        """A damaged archive's own bytes, kept as a quarantined delivery (the admin lists
        it) when they fit the size limit; reported either way."""
        limit = settings.DATELINE_WIRE_MAX_BYTES
        try:
            data = _read_capped(damaged.path, limit)
        except OSError as error:
            return IngestResult(path=origin, status="quarantined", reason=f"unreadable: {error}")
        if len(data) > limit:
            reason = f"{damaged}; not kept: the archive is over the {limit}-byte limit"
            return IngestResult(path=origin, status="quarantined", reason=reason)
        return delivery_quarantine(source=source, data=data, origin=origin, reason=str(damaged))

    def _flush(self, source, batch):
        self._report(deliveries_ingest(source=source, deliveries=batch), files=len(batch))

    def _report(self, results, files=1):
        for result in results:
            self.counts[result.status] += 1
            if self.as_json:
                self.stdout.write(_json_line(result))
            elif result.status == "quarantined":
                tqdm.write(f"{result.path}: {result.reason}", file=sys.stderr)
        self.bar.update(files)

    def _source(self, slug):
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            if slug != "manual":
                known = ", ".join(Source.objects.values_list("slug", flat=True)) or "none yet"
                raise CommandError(f"No source {slug!r} (known: {known}); add it in the admin.")
            source = Source.objects.create(name="Manual ingest", slug="manual")
        return source


def _json_line(result: IngestResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False)
