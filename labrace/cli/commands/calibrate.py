"""``labrace calibrate``: fit a scenario's free parameters to public figures and report the fit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.params import printable
from labrace.calibration.fit import calibrate
from labrace.calibration.report import fit_lines, write_fit
from labrace.calibration.spec import read_calibration, shipped_calibrations


def add_arguments(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(shipped_calibrations())
    parser.add_argument("calibration", nargs="?", default="frontier_2025",
                        help=f"calibration file or shipped calibration ({names}; default: frontier_2025)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write calibration.json, calibration.txt and the calibrated scenario.toml here")


def run(args: argparse.Namespace) -> int:
    spec = read_calibration(args.calibration)
    fit = calibrate(spec)
    print("\n".join(fit_lines(fit)))
    if args.out is not None:
        written = write_fit(fit, args.out)
        print(f"written: {', '.join(printable(p) for p in written)}")
    if not fit.converged:
        print(f"labrace calibrate: the fit did not converge: {fit.message}", file=sys.stderr)
        return 1
    return 0
