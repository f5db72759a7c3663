"""``labrace validate``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys

from labs.params import ParameterError, printable
from scenarios.loader import config_to_toml, read_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files or shipped scenario names")
    parser.add_argument("--resolved", action="store_true",
                        help="print each valid scenario fully resolved (every default filled in) as TOML")


def run(args: argparse.Namespace) -> int:
    """Check every file, reporting each problem in one line; exit 2 if any file is invalid.

    Names come from the files and are printed with control characters escaped; the resolved TOML is
    safe as it is (the writer escapes them).
    """
    failed = 0
    for source in args.files:
        try:
            scenario = read_scenario(source)
        except ParameterError as error:
            print(f"labrace validate: error: {error}", file=sys.stderr)
            failed += 1
            continue
        config = scenario.config
        if config.step_mismatch():
            print(f"labrace validate: note: {printable(scenario.source)}: {config.step_mismatch()}", file=sys.stderr)
        uncertain = scenario.uncertainty.names if scenario.uncertainty is not None else []
        if uncertain:
            print(f"labrace validate: note: {printable(scenario.source)}: {len(uncertain)} parameters given as "
                  f"distributions ({printable(', '.join(uncertain))}); resolved at their medians", file=sys.stderr)
        if args.resolved:
            print(config_to_toml(config, scenario.description, scenario.units), end="")
        else:
            print(f"ok {printable(scenario.source)}: {printable(config.name)}, {len(config.labs)} labs, "
                  f"{config.horizon:g} years in {config.steps} steps")
    return 2 if failed else 0
