"""Wire ingestion of generated NewsML-G2 items (~4 KB each) into SQLite, end to end
on one core: read, keep raw, detect, parse, sanitise, version, store.

Beside it, in the same run, the reference: bare lxml parsing the same files with
the same hardened parser options and pulling headline and paragraphs by XPath.
Memory is sampled as the batch grows: it must stay flat (streaming)."""

import argparse
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

ITEMS = 100_000
NEWSML = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:bench.example:{n}" version="1" standard="NewsML-G2" standardversion="2.33" conformance="power">
  <catalogRef href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"/>
  <itemMeta>
    <itemClass qcode="ninat:text"/>
    <provider qcode="nprov:{agency}"/>
    <versionCreated>{when}</versionCreated>
    <pubStatus qcode="stat:usable"/>
  </itemMeta>
  <contentMeta>
    <urgency>{urgency}</urgency>
    <contentCreated>{when}</contentCreated>
    <located><name>{place}</name></located>
    <subject type="cpnat:abstract" qcode="medtop:16000000"><name>conflict, war and peace</name></subject>
    <language tag="en"/>
    <headline>{headline}</headline>
    <by>{byline}</by>
  </contentMeta>
  <contentSet>
    <inlineXML contenttype="application/nitf+xml">
      <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>
{paragraphs}
      </body.content></body></nitf>
    </inlineXML>
  </contentSet>
</newsItem>
"""


def _rss_mb(kind="RssAnon") -> float:
    """Resident memory in MB. RssAnon is the process's own memory; VmRSS adds the
    pages of files it maps (SQLite maps its database, up to mmap_size)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(kind + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def build_files(folder: Path, count: int) -> list[Path]:
    from dateline.demo.generator import generate_stories

    paths = sorted(folder.rglob("*.xml"))
    if len(paths) >= count:
        return paths[:count]
    folder.mkdir(parents=True, exist_ok=True)
    end = datetime(2026, 11, 1, tzinfo=UTC)
    stories = generate_stories(count, seed=11, start=end - timedelta(days=1000), end=end)
    for n, story in enumerate(stories):
        paragraphs = "\n".join(
            f"<hl2>{escape(p[3:])}</hl2>" if p.startswith("## ") else f"<p>{escape(p)}</p>"
            for p in story.paragraphs
        )
        if story.signoff:
            paragraphs += f"\n<p>{story.signoff}</p>"
        xml = NEWSML.format(
            n=n, agency=story.agency, when=story.published_at.isoformat(), urgency=1 + n % 8,
            place=escape(story.place), headline=escape(story.headline),
            byline=escape(story.byline), paragraphs=paragraphs,
        )  # fmt: skip
        path = folder / f"{n // 1000:03d}" / f"item-{n:06d}.xml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(xml, encoding="utf-8")
    return sorted(folder.rglob("*.xml"))[:count]


def bare_lxml(paths) -> float:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    ns = {"g2": "http://iptc.org/std/nar/2006-10-01/", "n": "http://iptc.org/std/NITF/2006-10-18/"}
    headline = etree.XPath("//g2:headline/text()", namespaces=ns)
    paragraphs = etree.XPath("//n:body.content/n:p", namespaces=ns)
    start, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        root = etree.fromstring(path.read_bytes(), parser)
        headline(root)
        [p.text for p in paragraphs(root)]
    return len(paths) / (time.perf_counter() - start), len(paths) / (time.process_time() - cpu)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench ingest")
    parser.add_argument("--items", type=int, default=ITEMS)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument(
        "--db", default="ingest.sqlite3", help="database file under var/bench/ (made afresh)"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="write a cProfile of the ingest loop to FILE (pstats)"
    )
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DB"] = args.db
    import django
    from django.conf import settings

    db_file = Path(settings.DATABASES["default"]["NAME"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command

    from dateline.wire.models import Source, WireItem
    from dateline.wire.services import deliveries_ingest

    call_command("migrate", verbosity=0)
    folder = Path(settings.VAR_DIR) / "ingest-items"
    started = time.perf_counter()
    paths = build_files(folder, args.items)
    size = sum(p.stat().st_size for p in paths[:1000]) / min(1000, len(paths))
    print(f"{len(paths)} NewsML-G2 files, {size / 1024:.1f} KB on average "
          f"(ready in {time.perf_counter() - started:.0f} s)")  # fmt: skip

    reference, reference_cpu = bare_lxml(paths)
    source = Source.objects.create(name="Bench AFP", slug="bench-afp", format="auto")
    samples = []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start, cpu = time.perf_counter(), time.process_time()
    batch = []
    for n, path in enumerate(paths, 1):
        batch.append((str(path), path.read_bytes()))
        if len(batch) >= args.batch:
            deliveries_ingest(source=source, deliveries=batch)
            batch = []
        if n % (len(paths) // 5 or 1) == 0:
            samples.append((n, _rss_mb()))
    if batch:
        deliveries_ingest(source=source, deliveries=batch)
    elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    stored = WireItem.objects.count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Per second of this process's own CPU time too: on a machine shared with other
    # work, wall-clock rates fall with the load; CPU-time rates much less.
    print(f"\n{'':<44}{'items/s':>10}{'per CPU s':>11}")
    print(f"{'bare lxml parse + XPath (reference)':<44}{reference:>10.0f}{reference_cpu:>11.0f}")
    print(f"{'dateline ingest, end to end (one core)':<44}{stored / elapsed:>10.0f}"
          f"{stored / elapsed_cpu:>11.0f}   ({stored / elapsed / reference:.2f} of the reference;"
          f" per CPU second {stored / elapsed_cpu / reference_cpu:.2f})")  # fmt: skip
    print(f"\n{stored} items in {elapsed:.1f} s; peak RSS {peak:.0f} MB")
    print(
        "RssAnon as the batch grows: " + ", ".join(f"{n:,} items {mb:.0f} MB" for n, mb in samples)
    )
    print(f"(VmRSS at the end, SQLite's mapped pages included: {_rss_mb('VmRSS'):.0f} MB)")
    print("target: >= 2,000 items/s end to end; memory flat as the batch grows")


if __name__ == "__main__":
    main(sys.argv[1:])
