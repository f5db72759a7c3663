"""labrace: frontier AI labs splitting compute between training and inference, competing in a market.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``; this
module only wires them together. Exit codes follow CLI conventions: 0 success, 1 a run failed, 2 bad
usage or an invalid input file (reported in one line, never as a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from labs.params import ParameterError
from labrace.version import labrace_version

# subcommand name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "policies": ("labrace.cli.commands.policies", "list the registered policies and their parameters"),
    "run": ("labrace.cli.commands.run", "run a scenario headless and write tables, summary and figures"),
    "validate": ("labrace.cli.commands.validate", "check scenario files without running them"),
    "scenarios": ("labrace.cli.commands.scenarios_list", "list the shipped scenarios"),
    "reproduce": ("labrace.cli.commands.reproduce", "re-run a seed paper's experiments and explain differences"),
    "tournament": ("labrace.cli.commands.tournament", "play every line-up of policies and rank them"),
    "viz": ("labrace.cli.commands.viz", "serve the browser visualiser on this machine"),
    "calibrate": ("labrace.cli.commands.calibrate", "fit a scenario to public figures and report the fit"),
    "sensitivity": ("labrace.cli.commands.sensitivity", "rank which uncertain parameters move each lab's NPV and "
                    "training share (Sobol indices)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labrace", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"labrace {labrace_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in COMMANDS.items():
        command = importlib.import_module(module)
        command.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except ParameterError as error:
        print(f"labrace {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:
        detail = f": {interrupt}" if str(interrupt) else ""  # e.g. how much of a tournament was kept
        print(f"labrace {args.command}: interrupted{detail}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `labrace policies | head`): not an error of ours.
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
