"""``labrace policies``: the registry as a table (name, plans?, deterministic?, parameters)."""

from __future__ import annotations

import argparse
import json

from policies.registry import policy_class, policy_names


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the full metadata as JSON")


def run(args: argparse.Namespace) -> int:
    meta = [policy_class(name).metadata() for name in policy_names()]
    if args.json:
        print(json.dumps(meta, indent=2, default=str))
        return 0
    for m in meta:
        tags = ", ".join(t for t, on in (("plans", m["plans"]), ("stochastic", not m["deterministic"])) if on)
        print(f"{m['name']:<18} {m['description']}" + (f" [{tags}]" if tags else ""))
        for key, p in m["params"].items():
            print(f"    {key:<20} default {p['default']!r:<16} {p['allowed']}: {p['doc']}")
    return 0
