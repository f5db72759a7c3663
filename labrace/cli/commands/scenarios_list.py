"""``labrace scenarios``: the shipped scenarios with one-line descriptions."""

from __future__ import annotations

import argparse

from scenarios.loader import shipped_scenarios


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full", action="store_true", help="print whole descriptions and file paths")


def first_sentence(text: str) -> str:
    """The description up to its first full stop (descriptions open with what the scenario is)."""
    flat = " ".join(text.split())
    head, dot, _ = flat.partition(". ")
    return head + ("." if dot else "")


def run(args: argparse.Namespace) -> int:
    for name, (path, description) in shipped_scenarios().items():
        if args.full:
            print(f"{name} ({path})\n    {' '.join(description.split())}\n")
        else:
            print(f"{name:<20} {first_sentence(description)}")
    return 0
