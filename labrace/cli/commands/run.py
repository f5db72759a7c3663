"""``labrace run``: run a scenario headless and write its tables, summary, resolved scenario and figures.

The work is :func:`labrace.api.run` and :meth:`RunResult.save`; this module parses, shows progress and prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from labs.params import ParameterError, printable
from scenarios.limits import LIMIT_PARAMS, Limits
from labrace import api
from labrace.simulation.destination import check_destination, default_out
from labrace.simulation.real_units import real_lines
from labrace.simulation.run import RunResult
from labrace.simulation.seeds import SEEDS

DEFAULT_SCENARIO = "duopoly"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario file or shipped scenario name (default: {DEFAULT_SCENARIO})")
    parser.add_argument("--out", type=Path, default=None,
                        help="results directory, replaced if it holds an earlier run's output "
                             "(default: runs/<scenario name as a safe folder name>)")
    parser.add_argument("--force", action="store_true",
                        help="replace --out even if it holds files that are not an earlier run's output")
    parser.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    parser.add_argument("--baseline", action="store_true",
                        help="also run each lab alone and all labs with independent revenue (delta0 = 0, "
                             "lambda = gamma), and report each lab's NPV change against both")
    parser.add_argument("--seeds", type=int, default=SEEDS.default, metavar="N",
                        help="also run N seeds spawned from the scenario's seed and report each lab's median "
                             "and 90%% interval (per-seed table: seeds.csv)")
    parser.add_argument("--samples", type=int, default=0, metavar="N",
                        help="instead of one run, the Monte Carlo of N samples of the scenario's distributions "
                             "(and seeds): medians, 5%%-95%% intervals and fan charts; resumable (default --out: "
                             "runs/<scenario name>-samples)")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="with --samples: worker processes (default 0: in this process)")
    parser.add_argument("--parquet", action="store_true", help="also write labs.parquet and market.parquet")
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary on stdout")
    limits = parser.add_argument_group("limits", "bounds on the work a scenario may ask for; raise one "
                                                 "deliberately to run something larger")
    for name, spec in LIMIT_PARAMS.items():
        limits.add_argument(Limits.option(name), dest=f"max_{name}", type=int, default=spec.default,
                            metavar="N", help=f"{spec.doc} (default: {spec.default:,})")


def limits_of(args: argparse.Namespace) -> Limits:
    """The :class:`Limits` the ``--max-...`` options give (each checked against its declaration)."""
    try:
        return Limits(**{name: getattr(args, f"max_{name}") for name in LIMIT_PARAMS})
    except ParameterError as error:
        raise ParameterError(Limits.option(error.path), error.reason, error.allowed) from None


def print_summary(result: RunResult, out: Path) -> None:
    """A few lines a person can read: who won, and each lab's NPV, capability and training share.

    Names come from the scenario file, so control characters in them are printed escaped.
    """
    config = result.config
    print(f"{printable(config.name)}: {len(config.labs)} labs, {config.horizon:g} years in {config.steps} steps "
          f"(seed {config.seed}, key {result.key})")
    table = result.outcomes.sort_values("rank")
    for row in table.itertuples(index=False):
        print(f"  {row.rank:>3}. {printable(row.lab):<16} NPV {row.npv:>12.4g}  "
              f"capability {row.final_capability:>9.4g}  mean alpha {row.mean_alpha:.3f}  "
              f"revenue share {row.revenue_share:6.1%}  {printable(row.policy)}")
    if result.baseline is not None:
        print("NPV change against each lab alone and against independent labs (delta0 = 0, lambda = gamma):")
        for row in result.baseline.itertuples(index=False):
            print(f"  {printable(row.lab):<16} {_change(row.change_vs_alone)} vs alone  "
                  f"{_change(row.change_vs_independent)} vs independent")
    if result.seeds is not None:
        print(f"over {len(result.seeds.seeds)} seeds spawned from seed {config.seed} "
              f"(median [5%, 95%]):")
        spread = result.seeds.spread().set_index(["lab", "measure"])
        for lab in result.outcomes["lab"]:
            npv, capability = spread.loc[(lab, "npv")], spread.loc[(lab, "final_capability")]
            print(f"  {printable(lab):<16} NPV {npv['median']:.4g} [{npv['low']:.4g}, {npv['high']:.4g}]  "
                  f"capability {capability['median']:.4g} [{capability['low']:.4g}, {capability['high']:.4g}]")
    if result.units is not None:
        print("\n".join(real_lines(result)))
    print(f"winner: {printable(result.winner)}")
    print(f"outputs written to {printable(out)}")


def _change(value: float | None) -> str:
    """A relative change as a signed percentage; ``n/a`` where the reference earned nothing."""
    return "    n/a" if value is None or value != value else f"{value:+7.1%}"


def run(args: argparse.Namespace) -> int:
    limits = limits_of(args)
    seeds = SEEDS.check(args.seeds)
    scenario = api.read_scenario(args.scenario, seed=args.seed, limits=limits)
    config = scenario.config
    out = args.out if args.out is not None else default_out(config.name)
    if args.samples:
        if args.baseline or seeds or args.parquet:
            raise ParameterError("--samples", "a Monte Carlo is not combined with --baseline, --seeds or --parquet",
                                 "--samples alone (its samples vary the seeds too)")
        from labrace.cli.commands.samples import run_samples

        return run_samples(args, scenario, args.out or default_out(f"{config.name}-samples"), limits)
    if scenario.uncertainty is not None and len(scenario.uncertainty):
        print(f"labrace run: note: {len(scenario.uncertainty)} parameters are given as distributions; this run uses "
              "their medians (--samples N runs the Monte Carlo)", file=sys.stderr)
    check_destination(out, args.force)
    if seeds and not config.shocks.active:
        print("labrace run: note: the scenario has no shocks, so every seed gives the same outcomes unless a "
              "policy draws random numbers", file=sys.stderr)
    if config.step_mismatch():
        print(f"labrace run: note: {config.step_mismatch()}", file=sys.stderr)
    try:
        with tqdm(total=config.steps, desc=printable(config.name), unit="step", file=sys.stderr, delay=1.0,
                  disable=args.quiet, leave=False) as bar:
            result = api.run(scenario, on_step=lambda done, total: bar.update(done - bar.n), limits=limits)
        extra = (len(config.labs) + 1 if args.baseline else 0) + seeds
        with tqdm(total=extra, desc="comparisons", unit="run", file=sys.stderr, delay=1.0,
                  disable=args.quiet or not extra, leave=False) as bar:
            if args.baseline:
                result = result.with_baseline(lambda: bar.update())
            if seeds:
                result = result.with_seeds(seeds, lambda: bar.update())
    except FloatingPointError as error:
        print(f"labrace run: error: run failed: {printable(error)}", file=sys.stderr)
        return 1
    result.save(out, parquet=args.parquet, figures=not args.no_figures, force=args.force)
    if not args.quiet:
        print_summary(result, out)
    return 0
