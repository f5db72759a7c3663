"""``python -m benchmarks [--quick] [--out DIR] [--only NAME ...]``: run the benchmarks, write the reports."""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.machine import describe

BENCHMARKS = ("control", "model_step", "planning", "tournament", "study", "montecarlo", "feedback")
DOCS = Path("docs")


def output_folder(quick: bool, out: Path | None) -> Path:
    """Where the reports go: ``docs`` for a measurement; a scratch folder for ``--quick``, whose smoke
    numbers must never replace the measured ones in docs/."""
    if not quick:
        return out or DOCS
    if out is None:
        return Path(tempfile.gettempdir()) / "labrace-benchmarks-quick"
    if out.resolve() == DOCS.resolve():
        raise SystemExit("--quick writes smoke numbers, not measurements: it may not write into docs/")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test (seconds)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the reports (docs; with --quick a scratch folder, never docs)")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    args = parser.parse_args(argv)
    output_folder(args.quick, args.out)  # refuse a forbidden destination before measuring anything
    results = []
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        print(f"benchmark {name} ...", end=" ", flush=True)
        results.append(importlib.import_module(f"benchmarks.{name}").run(args.quick))
        print(f"{time.perf_counter() - start:.1f} s", flush=True)
    json_path, md_path = report.write(results, describe(), args.quick, output_folder(args.quick, args.out))
    print(f"wrote {md_path} and {json_path}")
    for target in (t for r in results for t in r.get("targets", [])):
        print(f"  {'met    ' if target['met'] else 'NOT met'}  {target['target']}: {target['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
