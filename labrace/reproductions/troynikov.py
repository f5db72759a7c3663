"""``labrace reproduce troynikov``: run every experiment of seed 000 and write data, figures and report.

Outputs in the chosen directory: ``optimal_trajectory.csv``, ``summary.json``, ``sweeps.csv``,
``balanced_growth.csv``, ``fig1_base_case.png`` … ``fig7_steady_state_sensitivity.png`` and ``report.md``.
``quick`` shrinks the verification and the sweeps (fewer pieces, grids and points) for tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np

from labrace.reproductions import figures
from labrace.reproductions.base_case import (maximiser_agreement, optimum_summary, solve_optimum, solver_summary,
                                           trajectory_frame, verify)
from labrace.reproductions.model_check import model_convergence
from labrace.reproductions.paper_scheme import attribution, run_paper_scheme
from labrace.reproductions.problem import TroynikovCase
from labrace.reproductions.report import write_report
from labrace.reproductions.steady import (CONSTANT_HORIZON, PAPER_CODE_RHO, constant_curve, sensitivity_curves,
                                        steady_state_summary)
from labrace.reproductions.sweeps import all_sweeps, sweep_summary
from labrace.version import labrace_version

SWEEP_FIGURES = {"epsilon": 2, "gamma": 3, "rho": 4, "growth": 5}


def reproduce_troynikov(out: Path, quick: bool = False,
                        progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Run the reproduction into directory ``out`` (created if needed) and return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    case = TroynikovCase()
    progress("base case")
    optimum = solve_optimum(case, 1000 if quick else 2000)
    trajectory_frame(optimum, 1001).to_csv(out / "optimal_trajectory.csv", index=False)
    progress("verification")
    verification = verify(case, optimum, pieces=(100, 200) if quick else (100, 200, 400, 800),
                          grids=(500, 1000, 2000) if quick else (500, 1000, 2000, 4000, 8000))
    verification["hamiltonian_maximisers"] = maximiser_agreement(case, optimum)
    progress("agent-based model")
    steps = (0.1, 0.05) if quick else (0.1, 0.05, 0.01)
    verification["model_convergence"] = model_convergence(case, optimum.npv, steps)
    scheme = run_paper_scheme(case)
    progress("sweeps")
    sweeps = all_sweeps(case, points=4 if quick else 10, intervals=500 if quick else 2000)
    sweeps.to_csv(out / "sweeps.csv", index=False)
    progress("steady state")
    steady, balanced = steady_state_summary(case, quick)
    balanced.to_csv(out / "balanced_growth.csv", index=False)
    curves, points = sensitivity_curves(case, quick)
    constant_case = case.with_(rho=PAPER_CODE_RHO, horizon=CONSTANT_HORIZON)
    curve = constant_curve(constant_case, np.linspace(0.01, 0.99, 25 if quick else 99))
    progress("figures")
    figures.base_case_dashboard(case, optimum, scheme, out / "fig1_base_case.png")
    for parameter, number in SWEEP_FIGURES.items():
        figures.sensitivity(sweeps, parameter, number, out / f"fig{number}_sensitivity_{parameter}.png")
    figures.constant_alpha(constant_case, curve, steady["best_constant_alpha"]["at_paper_code_rho"],
                           steady["eq11_at_paper_code_rho"]["eq11"], out / "fig6_steady_state_constant.png")
    figures.steady_state_sensitivity(curves, points, out / "fig7_steady_state_sensitivity.png")
    summary = {
        **optimum_summary(optimum),
        "case": case.as_dict(),
        "solver": solver_summary(optimum),
        "verification": verification,
        "paper_scheme": attribution(case, optimum.npv),
        "sweeps": sweep_summary(sweeps),
        "steady_state": steady,
        "labrace_version": labrace_version(),
        "quick": quick,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    write_report(summary, balanced, out / "report.md")
    return summary

