"""``python -m benchmarks [--quick] [--out DIR] [--only NAME ...]``: run the benchmarks, write the reports."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from benchmarks import report
from benchmarks.machine import describe

BENCHMARKS = ("control", "model_step", "planning", "tournament")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test (seconds)")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="directory for the reports (docs)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    args = parser.parse_args(argv)
    results = []
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        print(f"benchmark {name} ...", end=" ", flush=True)
        results.append(importlib.import_module(f"benchmarks.{name}").run(args.quick))
        print(f"{time.perf_counter() - start:.1f} s", flush=True)
    json_path, md_path = report.write(results, describe(), args.quick, args.out)
    print(f"wrote {md_path} and {json_path}")
    for target in (t for r in results for t in r.get("targets", [])):
        print(f"  {'met    ' if target['met'] else 'NOT met'}  {target['target']}: {target['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
