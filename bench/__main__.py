"""python -m bench [pages] : run the benchmarks (see docs/benchmarks.md)."""

import sys

from bench import pages

BENCHES = {"pages": pages.main}

if __name__ == "__main__":
    names = sys.argv[1:] or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
        BENCHES[name]()
