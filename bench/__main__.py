"""python -m bench [all | pages | ingest | minhash | search | desk | comments | support | ops
| newsletters | scaleout | bake] [options] (see docs/benchmarks.md)."""

import sys

from bench import (
    bake,
    comments,
    desk,
    ingest,
    minhash,
    newsletters,
    ops,
    pages,
    scaleout,
    search,
    support,
)

BENCHES = {
    "pages": pages.main,
    "ingest": ingest.main,
    "minhash": minhash.main,
    "search": search.main,
    "desk": desk.main,
    "comments": comments.main,
    "support": support.main,
    "ops": ops.main,
    "newsletters": newsletters.main,
    "scaleout": scaleout.main,
    "bake": bake.main,
}

if __name__ == "__main__":
    name, *options = sys.argv[1:] or ["all"]
    if name != "all" and name not in BENCHES:
        sys.exit(f"unknown benchmark {name!r}; choose from all, {', '.join(BENCHES)}")
    if name == "all":
        # Each benchmark configures Django for itself: run them in their own processes.
        import subprocess

        for each in BENCHES:
            subprocess.run([sys.executable, "-m", "bench", each], check=True)
    else:
        BENCHES[name](options)
