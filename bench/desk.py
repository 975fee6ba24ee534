"""The desk: suggestion accuracy and desk speed.

1. Learned suggestions. The classifier is trained on the desk's past decisions (here:
   generated stories published to their sections, as a desk's history would be) and
   evaluated on bench/desk_eval/stories.jsonl: 373 short stories written by hand,
   separately from the generator (so its vocabulary cannot give the label away),
   including the easily confused sections. Beside it, a keyword-rule baseline: the
   routing rules a chief editor would write (a few words per section).
2. Speed with 200,000 items in the pool: the desk screen (median, through Django's
   full stack, signed in), and publishing an item (request to committed, live page).

python -m bench desk [--pool 200000] [--train 6000] [--runs 200]
"""

import argparse
import json
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

EVAL = Path(__file__).parent / "desk_eval" / "stories.jsonl"

# What a chief editor would write as routing rules: a few words per section.
KEYWORDS = {
    "spacedaily/launchers": ["rocket", "launch", "launcher", "booster", "liftoff"],
    "spacedaily/space-industry": ["company", "contract", "investment", "startup", "funding"],
    "spacedaily/satellites": ["satellite", "constellation", "orbit", "earth observation"],
    "spacedaily/exploration": ["probe", "asteroid", "jupiter", "saturn", "deep space"],
    "spacedaily/astronomy": ["telescope", "galaxy", "star", "exoplanet", "astronomers"],
    "spacedaily/mars": ["mars", "martian", "rover"],
    "spacedaily/moon": ["moon", "lunar", "artemis"],
    "spacedaily/space-station": ["space station", "iss", "astronaut", "spacewalk", "crew"],
    "spacewar/iraq-wars": ["iraq", "baghdad", "militia", "kurdish", "mosul"],
    "spacewar/missile-defense": ["interceptor", "missile defense", "radar", "intercept"],
    "spacewar/missiles": ["missile", "ballistic", "cruise missile", "hypersonic"],
    "spacewar/drones": ["drone", "unmanned", "uav", "uas"],
    "spacewar/military-satellites": [
        "military satellite",
        "space force",
        "spy satellite",
        "anti-satellite",
    ],  # fmt: skip
    "spacewar/weapons": ["artillery", "tank", "rifle", "ammunition", "howitzer"],
    "spacewar/defense-industry": [
        "defence contract",
        "defense contract",
        "procurement",
        "defence firm",
        "budget",
    ],  # fmt: skip
    "spacewar/politics": ["treaty", "alliance", "nato", "sanctions", "diplomat"],
    "spacewar/nano-tech": ["nano", "nanomaterial", "nanoparticle", "graphene"],
    "terradaily/climate": ["climate", "warming", "emissions", "temperature"],
    "terradaily/oceans": ["ocean", "sea", "marine", "coral"],
    "terradaily/earthquakes": ["earthquake", "quake", "seismic", "magnitude"],
    "terradaily/volcanoes": ["volcano", "eruption", "lava", "volcanic"],
    "terradaily/farming": ["farm", "crop", "harvest", "farmers", "livestock"],
    "terradaily/water": ["drought", "river", "water supply", "aquifer", "reservoir"],
    "terradaily/forests": ["forest", "deforestation", "trees", "wildfire"],
    "terradaily/pollution": ["pollution", "smog", "plastic", "toxic", "contamination"],
    "energydaily/solar": ["solar", "photovoltaic", "panel"],
    "energydaily/wind": ["wind", "turbine", "offshore wind"],
    "energydaily/nuclear": ["nuclear", "reactor", "uranium"],
    "energydaily/oil-and-gas": ["oil", "gas", "lng", "crude", "opec"],
    "energydaily/batteries": ["battery", "batteries", "lithium", "storage"],
    "energydaily/grid": ["grid", "transmission", "blackout", "utility", "power line"],
    "energydaily/hydrogen": ["hydrogen", "electrolyser", "electrolyzer", "fuel cell"],
    "energydaily/fusion": ["fusion", "tokamak", "plasma", "stellarator"],
}
CONFUSABLE = ["missiles", "missile-defense", "weapons", "drones", "military-satellites"]


def _keyword_rank(text: str) -> list[str]:
    import re

    lowered = text.lower()
    scores = Counter()
    for order, (label, words) in enumerate(KEYWORDS.items()):
        for word in words:
            hits = len(re.findall(rf"(?<!\w){re.escape(word)}", lowered))
            if hits:
                scores[label] += hits - order * 1e-6  # ties: the rule listed first wins
    return [label for label, _ in scores.most_common(3)]


def accuracy(train_count: int) -> None:
    from dateline.demo.generator import generate_stories
    from dateline.desk import suggest

    end = datetime(2026, 11, 1, tzinfo=UTC)
    history = list(generate_stories(train_count, seed=11, start=end - timedelta(days=365), end=end))
    texts = [suggest.story_text(s.headline, " ".join(s.paragraphs)) for s in history]
    labels = [f"{s.site}/{s.section}" for s in history]
    evaluation = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines()]
    eval_texts = [suggest.story_text(e["headline"], e["body"]) for e in evaluation]
    truth = [f"{e['site']}/{e['section']}" for e in evaluation]

    started = time.perf_counter()
    pipeline = suggest.train(texts, labels)
    trained_in = time.perf_counter() - started
    ranked = [[label for label, _ in top] for top in suggest.rank(pipeline, eval_texts, 3)]
    baseline = [_keyword_rank(f"{e['headline']} {e['body']}") for e in evaluation]

    def scores(predictions, only=None):
        pairs = [(p, t) for p, t in zip(predictions, truth, strict=True)
                 if only is None or t.split("/")[1] in only]  # fmt: skip
        top1 = sum(bool(p) and p[0] == t for p, t in pairs) / len(pairs)
        top3 = sum(t in p[:3] for p, t in pairs) / len(pairs)
        return top1, top3, len(pairs)

    print(f"\nSuggestions: trained on {len(texts)} past decisions in {trained_in:.1f} s; "
          f"evaluated on {len(truth)} hand-written stories ({EVAL.name})\n")  # fmt: skip
    print(f"{'':<40}{'top-1':>8}{'top-3':>8}{'stories':>9}")
    for name, predictions in (("classifier (TF-IDF + linear)", ranked),
                              ("keyword-rule baseline", baseline)):  # fmt: skip
        top1, top3, n = scores(predictions)
        print(f"{name:<40}{top1:>8.1%}{top3:>8.1%}{n:>9}")
        top1, top3, n = scores(predictions, only=CONFUSABLE)
        print(f"{'  of which confusable military sections':<40}{top1:>8.1%}{top3:>8.1%}{n:>9}")
    print("\nTarget: classifier top-3 >= 90% and clearly above the baseline.")


def _pool_build(size: int) -> None:
    """Migrate and fill the pool with ``size`` desk entries (bulk inserts: the ingest
    path has its own benchmark)."""
    from django.core.management import call_command
    from django.db import transaction
    from tqdm import tqdm

    from dateline.demo import services as demo
    from dateline.demo.generator import generate_stories
    from dateline.desk.models import DeskEntry
    from dateline.network.models import Agency, Section
    from dateline.wire.models import Delivery, Source, WireItem

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    demo.demo_network_create()
    have = DeskEntry.objects.count()
    if have >= size:
        return
    agency = Agency.objects.get(code="AFP")
    source, _ = Source.objects.get_or_create(
        slug="bench-afp", defaults={"name": "Bench AFP", "agency": agency}
    )
    section_ids = list(Section.objects.values_list("id", flat=True))
    end = datetime(2026, 11, 20, tzinfo=UTC)
    stories = generate_stories(size - have, seed=have + 5, start=end - timedelta(days=400), end=end)
    batch = 2000
    with tqdm(total=size - have, desc="pool", unit="items") as bar:
        chunk = []
        for n, story in enumerate(stories, start=have):
            chunk.append((n, story))
            if len(chunk) == batch:
                _pool_chunk(source, chunk, section_ids, Delivery, WireItem, DeskEntry, transaction)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            _pool_chunk(source, chunk, section_ids, Delivery, WireItem, DeskEntry, transaction)
            bar.update(len(chunk))


def _pool_chunk(source, chunk, section_ids, Delivery, WireItem, DeskEntry, transaction):
    first = chunk[0][0]
    with transaction.atomic():
        delivery = Delivery.objects.create(
            source=source, sha256=f"{first:064d}", size=1, origin=f"bench/{first}",
            format="ninjs", status="accepted", item_count=len(chunk),
        )  # fmt: skip
        items = [
            WireItem(
                source=source,
                delivery=delivery,
                guid=f"urn:bench:{n}",
                version=1,
                format="ninjs",
                headline=s.headline,
                dateline_place=s.place,
                urgency=1 + n % 8,
                body_html="".join(f"<p>{p}</p>" for p in s.paragraphs[:4] if not p.startswith("#")),
                content_hash=f"{n:064d}",
                cluster_key=f"bench:{n // 3}",
                received_at=s.published_at,
            )  # fmt: skip
            for n, s in chunk
        ]
        WireItem.objects.bulk_create(items)
        ids = dict(WireItem.objects.filter(delivery=delivery).values_list("guid", "id"))
        DeskEntry.objects.bulk_create(
            DeskEntry(
                source=source,
                guid=f"urn:bench:{n}",
                item_id=ids[f"urn:bench:{n}"],
                received_at=s.published_at,
                first_received_at=s.published_at,
                cluster_key=f"bench:{n // 3}",
                routed=True,
                suggested_section_id=section_ids[n % len(section_ids)],
                suggestion_confidence=0.5 + (n % 50) / 100,
            )  # fmt: skip
            for n, s in chunk
        )


def speed(pool_size: int, runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from dateline.desk.models import DeskEntry
    from dateline.desk.roles import roles_sync
    from dateline.network.models import Section
    from tests.conftest import staff_login

    _pool_build(pool_size)
    roles_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client = Client(HTTP_HOST="spacewar.localhost")
    staff_login(client, user)

    def timed(method, url, data=None):
        started = time.perf_counter()
        response = getattr(client, method)(url, data or {})
        return time.perf_counter() - started, response

    screens = [
        ("desk screen (newest 50)", "/desk/"),
        ("  filtered: status new", "/desk/?status=new"),
        ("  filtered: suggested section", f"/desk/?section={Section.objects.first().pk}"),
        ("  text search (headline words)", "/desk/?q=satellite"),
        ("  poll for arrivals (nothing new)", None),
    ]
    print(f"\nDesk speed: {DeskEntry.objects.count()} entries in the pool (SQLite), "
          f"{runs} requests each, through Django's full stack, signed in\n")  # fmt: skip
    from bench.urls import REFERENCE_BODY

    REFERENCE_BODY["bytes"] = client.get("/desk/").content
    reference = sorted(timed("get", "/__bench__/same-bytes/")[0] for _ in range(runs))
    ref_median = statistics.median(reference)
    print(f"{'request':<40}{'median':>10}{'p95':>10}{'vs ref':>9}")
    print(f"{'reference: same bytes, bare view':<40}{ref_median * 1000:>8.1f}ms"
          f"{reference[int(len(reference) * 0.95) - 1] * 1000:>8.1f}ms{1:>8.1f}x")  # fmt: skip
    newest = DeskEntry.objects.order_by("-received_at", "-id").first()
    cursor = f"{newest.received_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{newest.pk}"
    for label, url in screens:
        url = url or f"/desk/updates.json?after={cursor}"
        assert client.get(url).status_code == 200, url
        timings = sorted(timed("get", url)[0] for _ in range(runs))
        median = statistics.median(timings)
        print(f"{label:<40}{median * 1000:>8.1f}ms"
              f"{timings[int(len(timings) * 0.95) - 1] * 1000:>8.1f}ms"
              f"{median / ref_median:>8.1f}x")  # fmt: skip

    # Publishing: distinct new items, each to a section; the page must then be live.
    section = Section.objects.select_related("site").get(site__slug="spacewar", slug="drones")
    entries = list(
        DeskEntry.objects.filter(status="new").order_by("-received_at")[: min(runs, 100)]
    )
    timings = []
    for entry in entries:
        took, response = timed("post", f"/desk/item/{entry.pk}/publish/",
                               {"sections": [section.pk]})  # fmt: skip
        assert response.status_code == 302, response.status_code
        timings.append(took)
    entry = DeskEntry.objects.select_related("story").get(pk=entries[-1].pk)
    path = entry.story.placements.get().path
    live = Client().get(path, HTTP_HOST=section.site.host).status_code
    timings.sort()
    median = statistics.median(timings)
    print(f"{'publish an item (request to committed)':<40}{median * 1000:>8.1f}ms"
          f"{timings[int(len(timings) * 0.95) - 1] * 1000:>8.1f}ms{median / ref_median:>8.1f}x"
          f"   page then: HTTP {live}")  # fmt: skip
    print("\nTargets: desk screen <= 100 ms median; publish <= 50 ms server time.")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench desk")
    parser.add_argument("--pool", type=int, default=200_000)
    parser.add_argument("--train", type=int, default=6_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--only", choices=["accuracy", "speed"], default=None)
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("BENCH_DB", "desk.sqlite3")
    import django

    django.setup()
    if args.only != "speed":
        accuracy(args.train)
    if args.only != "accuracy":
        speed(args.pool, args.runs)
