"""``labrace reproduce hao_merrill``: Hao & Merrill's (2026) profit-optimal training, re-derived and checked.

Outputs in the chosen directory: ``verification.csv``, ``compute_bound.csv``, ``exponent_curve.csv``,
``data_bound.csv``, ``efficiency.csv``, ``summary.json``, ``fig1_exponent_vs_market_size.png``, ``fig2_calibration.png`` and
``report.md``. ``quick`` uses fewer points in every sweep (for tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from labrace.reproductions import hao_merrill_figures as figures
from labrace.reproductions import hao_merrill_studies as studies
from labrace.reproductions.hao_merrill_report import write_report
from labrace.version import labrace_version


def reproduce_hao_merrill(out: Path, quick: bool = False,
                          progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Run every study into directory ``out`` (created if needed) and return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    progress("numerical optimum vs first-order condition")
    verification = studies.verification(quick)
    progress("compute-bound exponents")
    compute_bound = studies.compute_bound(quick)
    curve = studies.exponent_curve(quick)
    progress("data-bound exponents")
    data_bound = studies.data_bound(quick)
    efficiency = studies.efficiency_effects(quick)
    progress("calibration and labrace's dynamic lab")
    calibration = studies.calibration()
    dynamic = studies.dynamic_lab(quick)
    for name, rows in (("verification", verification), ("compute_bound", compute_bound),
                       ("exponent_curve", curve), ("data_bound", data_bound),
                       ("efficiency", efficiency)):
        pd.DataFrame(rows).to_csv(out / f"{name}.csv", index=False)
    progress("figures")
    figures.exponent_curve(curve, out / "fig1_exponent_vs_market_size.png")
    figures.calibration(calibration, out / "fig2_calibration.png")
    worst = max(max(row[f"rel_{k}"] for k in ("n", "d", "t")) for row in verification)
    large = {(r["gamma"], r["quantity"]): r["fitted"] for r in compute_bound if r["market"] == "large"}
    summary = {
        "verification": {"worst_relative_difference": worst, "cases": verification},
        "compute_bound": compute_bound,
        "data_bound": data_bound,
        "efficiency": efficiency,
        "calibration": calibration,
        "dynamic_lab": dynamic,
        "labrace_version": labrace_version(),
        "quick": quick,
        "headline": (f"n* ~ E^{large[(0.0, 'n')]:.3f} (gamma 0) and E^{large[(-1.0, 'n')]:.3f} (gamma -1), "
                     f"spend ~ E^{large[(-1.0, 'training_spend')]:.3f}; numerical vs closed form within {worst:.1e}"),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    write_report(summary, out / "report.md")
    return summary
