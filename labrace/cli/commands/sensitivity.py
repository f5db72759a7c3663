"""``labrace sensitivity SCENARIO``: Sobol indices and tornado swings of a scenario's distributions.

The work is :func:`labrace.uncertainty.run.sensitivity`: n (d + 2) runs of a Saltelli design and 2d + 1
one-at-a-time runs, stored as they finish (running the command again plays only what is missing). Prints,
per lab and output, the parameters ranked by total index. Exit status 1 if any run failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.params import printable
from scenarios.limits import LIMIT_PARAMS, Limits
from labrace import api
from labrace.cli.commands.run import limits_of
from labrace.simulation.destination import default_out
from labrace.uncertainty.run import sensitivity
from labrace.uncertainty.sobol import BASE


NAMES = {"npv": "NPV", "log_npv": "log NPV", "mean_alpha": "training share"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario file with parameters given as distributions")
    parser.add_argument("--base", type=int, default=BASE.default, metavar="N",
                        help=f"base sample size, a power of two: N (d + 2) + 2d + 1 runs for d uncertain "
                             f"parameters (default: {BASE.default})")
    parser.add_argument("--out", type=Path, default=None,
                        help="results directory (default: runs/<scenario name>-sensitivity)")
    parser.add_argument("--force", action="store_true", help="write into --out even if it holds other files")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="worker processes (default 0: in this process)")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stdout")
    limits = parser.add_argument_group("limits")
    for name, spec in LIMIT_PARAMS.items():
        limits.add_argument(Limits.option(name), dest=f"max_{name}", type=int, default=spec.default,
                            metavar="N", help=f"{spec.doc} (default: {spec.default:,})")


def run(args: argparse.Namespace) -> int:
    limits = limits_of(args)
    scenario = api.read_scenario(args.scenario, limits=limits)
    out = args.out if args.out is not None else default_out(f"{scenario.config.name}-sensitivity")
    result = sensitivity(scenario, args.base, out, args.workers, progress=not args.quiet, limits=limits,
                         figures=not args.no_figures, force=args.force,
                         notify=lambda note: print(note, file=sys.stderr))
    if not args.quiet:
        report = result.report
        print(f"{printable(scenario.config.name)}: {len(result.study.names)} uncertain parameters, base {args.base}, "
              f"{len(result.study.tasks)} runs ({report.new} new, {report.cached} already done, {report.failed} "
              f"failed, {report.seconds:.1f} s)")
        print("parameters by total Sobol index ST (first-order S1), per lab:")
        for (lab, output), rows in result.indices.groupby(["lab", "output"], sort=False):
            if output == "final_capability":
                continue
            ranked = ", ".join(f"{printable(r.parameter)} {r.ST:.2f} ({r.S1:.2f})"
                               for r in rows.sort_values("rank").itertuples())
            if rows["ST"].isna().all():
                ranked = "does not vary over the samples"
            print(f"  {printable(lab):<12} {NAMES[output]:<15} {ranked}")
        if result.dropped:
            print(f"  ({result.dropped} base rows left out: a run of theirs failed)")
        print(f"outputs written to {printable(out)}")
    return 1 if result.failed else 0
