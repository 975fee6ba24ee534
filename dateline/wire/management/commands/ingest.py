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
from dateline.wire.services import OUTCOMES, IngestResult, deliveries_ingest

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


def _one(path: Path):
    """(origin, loader) pairs of one file, or of each member of an archive. A damaged
    or unreadable archive yields one entry whose loader raises (reported, not fatal)."""
    try:
        yield from _members(path)
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as error:  # fmt: skip
        message = f"{type(error).__name__}: {error}"

        def fail(message=message):
            raise OSError(message)

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
                if not member.isfile():
                    continue
                origin = f"{path}:{member.name}"
                yield origin, lambda a=archive, m=member: a.extractfile(m).read(limit + 1)
    else:
        yield str(path), lambda p=path: _read_capped(p, limit)


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
        for origin, load in _files(paths):
            files += 1
            if load is None:
                self._report(
                    [
                        IngestResult(
                            path=origin, status="quarantined", reason="no such file or folder"
                        )
                    ]
                )
                continue
            try:
                data = load()
            except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, RuntimeError,
                    NotImplementedError, ValueError) as error:  # fmt: skip
                self._report(
                    [IngestResult(path=origin, status="quarantined", reason=f"unreadable: {error}")]
                )
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
