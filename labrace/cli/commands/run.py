"""``labrace run``: run a scenario headless and write its tables, summary, resolved scenario and figures.

The work is :func:`labrace.api.run` and :meth:`RunResult.save`; this module parses, shows progress and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from labrace import api
from labrace.simulation.outputs import check_destination
from labrace.simulation.run import RunResult

DEFAULT_SCENARIO = "duopoly"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario file or shipped scenario name (default: {DEFAULT_SCENARIO})")
    parser.add_argument("--out", type=Path, default=None,
                        help="results directory, replaced if it exists (default: runs/<scenario name>)")
    parser.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    parser.add_argument("--parquet", action="store_true", help="also write labs.parquet and market.parquet")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stdout")


def print_summary(result: RunResult, out: Path) -> None:
    """A few lines a person can read: who won, and each lab's NPV, capability and training share."""
    config = result.config
    print(f"{config.name}: {len(config.labs)} labs, {config.horizon:g} years in {config.steps} steps "
          f"(seed {config.seed}, key {result.key})")
    table = result.outcomes.sort_values("rank")
    for row in table.itertuples(index=False):
        print(f"  {row.rank:>3}. {row.lab:<16} NPV {row.npv:>12.4g}  "
              f"capability {row.final_capability:>9.4g}  mean alpha {row.mean_alpha:.3f}  "
              f"revenue share {row.revenue_share:6.1%}  {row.policy}")
    print(f"outputs written to {out}")


def run(args: argparse.Namespace) -> int:
    scenario = api.read_scenario(args.scenario, seed=args.seed)
    config = scenario.config
    out = args.out if args.out is not None else Path("runs") / config.name
    check_destination(out)
    with tqdm(total=config.steps, desc=config.name, unit="step", file=sys.stderr, delay=1.0,
              disable=args.quiet, leave=False) as bar:
        result = api.run(scenario, on_step=lambda done, total: bar.update(done - bar.n))
    result.save(out, parquet=args.parquet, figures=not args.no_figures)
    if not args.quiet:
        print_summary(result, out)
    return 0
