"""``labrace run --samples N``: the Monte Carlo of a scenario's distributions, printed for a person.

The work is :func:`labrace.uncertainty.run.monte_carlo`; this module prints what it did and the medians
and intervals. Exit status 1 if any sample failed (its error is in ``samples.csv``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.params import printable
from scenarios.limits import Limits
from scenarios.loader import Scenario
from scenarios.units import Units
from labrace.simulation.real_units import money
from labrace.uncertainty.run import monte_carlo


def run_samples(args: argparse.Namespace, scenario: Scenario, out: Path, limits: Limits) -> int:
    uncertainty = scenario.uncertainty
    names = uncertainty.names if uncertainty is not None else []
    if not names and not scenario.config.shocks.active:
        print("labrace run: note: the scenario has no distributions and no shocks, so every sample gives the "
              "same outcomes", file=sys.stderr)
    result = monte_carlo(scenario, args.samples, out, args.workers, progress=not args.quiet, limits=limits,
                         figures=not args.no_figures, force=args.force,
                         notify=lambda note: print(note, file=sys.stderr))
    if not args.quiet:
        report = result.report
        config = scenario.config
        print(f"{printable(config.name)}: {args.samples} samples over {len(names)} uncertain parameters"
              f"{' (' + ', '.join(names) + ')' if names else ''}; {report.new} new, {report.cached} already done, "
              f"{report.failed} failed, {report.seconds:.1f} s")
        spread = result.intervals.set_index(["lab", "measure"])
        print("median [5%, 95%] over the samples:")
        for lab in dict.fromkeys(result.intervals["lab"]):
            cells = {m: spread.loc[(lab, m)] for m in ("npv", "mean_alpha", "final_capability")}
            npv = _interval(cells["npv"]) if scenario.units is None else _money_interval(cells["npv"], scenario.units)
            print(f"  {printable(lab):<16} NPV {npv}  training share "
                  f"{_interval(cells['mean_alpha'], '.3f')}  capability {_interval(cells['final_capability'])}")
        print(f"outputs written to {printable(out)}")
    if result.failed:
        errors = result.samples.loc[result.samples["status"] == "failed", "error"].drop_duplicates()
        print(f"labrace run: {result.failed} of {args.samples} samples failed (their rows in samples.csv say why; "
              f"the intervals are over the others), e.g.: {printable(errors.iloc[0])}", file=sys.stderr)
    return 1 if result.failed else 0


def _money_interval(row, units: Units) -> str:
    """An NPV interval in dollars, for a scenario that declares what its revenue unit is."""
    return f"{money(units.usd(row['median']))} [{money(units.usd(row['low']))}, {money(units.usd(row['high']))}]"


def _interval(row, spec: str = ".4g") -> str:
    return f"{row['median']:{spec}} [{row['low']:{spec}}, {row['high']:{spec}}]"
