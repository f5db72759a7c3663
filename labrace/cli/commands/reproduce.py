"""``labrace reproduce PAPER --out DIR``: re-run a seed paper's experiments with verified solvers.

``troynikov`` (seed 000, :mod:`labrace.reproductions.troynikov`), ``erdil`` (seed 001), ``chinchilla``
(seed 002), ``sardana`` (inference-aware scaling), ``hao_merrill`` (seed 003) and ``equilibria`` (the
shipped duopolies under every notion of a rational lab); each module says what it writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.params import ParameterError
from labrace.reproductions.chinchilla import reproduce_chinchilla
from labrace.reproductions.equilibria import reproduce_equilibria
from labrace.reproductions.erdil import reproduce_erdil
from labrace.reproductions.hao_merrill import reproduce_hao_merrill
from labrace.reproductions.sardana import reproduce_sardana
from labrace.reproductions.troynikov import reproduce_troynikov

PAPERS = {"troynikov": reproduce_troynikov, "erdil": reproduce_erdil, "chinchilla": reproduce_chinchilla,
          "sardana": reproduce_sardana, "hao_merrill": reproduce_hao_merrill,
          "equilibria": reproduce_equilibria}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paper", choices=sorted(PAPERS), help="which paper to reproduce")
    parser.add_argument("--out", type=Path, required=True, help="directory for data, figures and report.md")
    parser.add_argument("--quick", action="store_true",
                        help="smaller verification and sweeps (for smoke tests; the numbers are coarser)")
    parser.add_argument("--quiet", action="store_true", help="do not print progress")


def run(args: argparse.Namespace) -> int:
    def progress(stage: str) -> None:
        if not args.quiet:
            print(f"reproduce {args.paper}: {stage}", file=sys.stderr)

    if args.out.exists() and not args.out.is_dir():
        raise ParameterError("out", f"{str(args.out)!r} exists and is not a directory",
                             "a directory (created if missing)")
    summary = PAPERS[args.paper](args.out, quick=args.quick, progress=progress)
    if "headline" in summary:
        print(f"{summary['headline']}; wrote {args.out / 'report.md'}")
        return 0
    print(f"NPV {summary['npv']:,.4f}, final capability {summary['final_capability']:.4f}, "
          f"switch time {summary['switch_time']:.3f}; wrote {args.out / 'report.md'}")
    return 0
