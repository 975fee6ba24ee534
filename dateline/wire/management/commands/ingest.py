"""``dateline ingest PATH...``: files, folders and zip/tar archives into the pool.

dateline ingest inbox/afp/ backfill-2017.zip --source afp
dateline ingest --json file.xml      # one JSON object per line per item
"""

import json
import sys
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dateline.wire.archives import (
    READ_ERRORS,
    DamagedArchive,
    NotAFile,
    damaged_keep,
    deliveries_in,
)
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
    """(origin, loader) pairs of one file, or of each member of an archive."""
    try:
        handle = path.open("rb")
    except OSError as error:

        def fail(error=error):
            raise error

        yield str(path), fail
        return
    with handle:
        yield from deliveries_in(handle, str(path))


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
                self._report([damaged_keep(source=source_obj, origin=origin, damaged=damaged)])
                continue
            except READ_ERRORS as error:
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
