"""Run every benchmark, print each table and whether its targets are met.

    python benchmarks/run.py            # full runs, exit 1 if a target is missed
    python benchmarks/run.py --quick    # few repetitions: checks the benchmarks work (CI)

Install the baselines first: `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

BENCHMARKS = [
    "bench_startup",
    "bench_scaffold",
    "bench_validate",
    "bench_chunking",
    "bench_evaluate",
]


def compile_sources() -> None:
    """Byte-compile advisor's sources, as `pip install` does for a regular install.

    An editable install runs from the source tree, where nothing is compiled until first
    import (and never with PYTHONDONTWRITEBYTECODE set), while the baselines were compiled
    by pip: without this, advisor would pay for compiling itself on every timed run.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    root = Path(__file__).parents[1]
    for folder in ("src", "plugins"):
        compileall.compile_dir(root / folder, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions; never fail")
    parser.add_argument("only", nargs="*", help="benchmark modules to run (default: all)")
    args = parser.parse_args()
    compile_sources()
    targets = []
    for name in args.only or BENCHMARKS:
        targets += importlib.import_module(name).run(args.quick)
    print("\n## Targets")
    for target in targets:
        print(target.line())
    missed = [t for t in targets if not t.met]
    if args.quick:
        return 0
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
