"""The near-duplicate signatures of the ingest bench's items (headline and body as
the parser makes them): version 2 (dateline/wire/clusters.py) against version 1, as
migration 0008 keeps a copy of it, in CPU time per item. Each batch of 200 is signed by
both in turn, in alternating order, so that the machine's load falls on both alike;
the ratio is the figure to read."""

import argparse
import os
import statistics
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench minhash")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import importlib

    import django
    from django.conf import settings

    django.setup()
    from bench.ingest import build_files
    from dateline.wire import clusters
    from dateline.wire.parsers.base import detect_parser

    version_1 = importlib.import_module("dateline.wire.migrations.0008_minhash_v2")._v1_signatures
    texts = []
    for path in build_files(Path(settings.VAR_DIR) / "ingest-items", args.items):
        data = path.read_bytes()
        parser_, root = detect_parser(data)
        texts.extend((item.headline, item.body_html) for item in parser_.parse(data, root))
    batches = [texts[i : i + 200] for i in range(0, len(texts), 200)]
    words = sum(len(body.split()) for _, body in texts) / len(texts)
    print(f"{len(texts)} items, {words:.0f} words each on average; {args.rounds} rounds")

    signers = {
        "version 1 (64 permutations)": version_1,
        "version 2 (clusters.py)": clusters.signatures,
    }
    spent = {name: [] for name in signers}
    for round_ in range(args.rounds):
        for batch in batches:
            order = list(signers.items())
            for name, sign in order if round_ % 2 else order[::-1]:
                started = time.process_time()
                sign(batch)
                spent[name].append(time.process_time() - started)
    (old, old_times), (new, new_times) = spent.items()
    for name, times in spent.items():
        print(f"{name:<32}{sum(times) / (args.rounds * len(texts)) * 1e6:8.1f} us CPU per item")
    ratios = [a / b for a, b in zip(old_times, new_times, strict=True)]
    print(
        f"version 1 / version 2: {sum(old_times) / sum(new_times):.2f} in all, batches"
        f" {min(ratios):.2f} to {max(ratios):.2f} (median {statistics.median(ratios):.2f})"
    )
