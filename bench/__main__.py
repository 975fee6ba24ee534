"""python -m bench [pages [--stories N] [--runs N]]: run the benchmarks (docs/benchmarks.md)."""

import sys

from bench import pages

BENCHES = {"pages": pages.main}

if __name__ == "__main__":
    name, *options = sys.argv[1:] or ["pages"]
    if name not in BENCHES:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
    BENCHES[name](options)
