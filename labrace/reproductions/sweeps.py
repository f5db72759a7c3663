"""Sensitivity sweeps of the paper's Figures 2–5: one parameter varied around the base case.

The ranges are the published code's (10 values each). For every value the verified optimum and the
emulated paper scheme are both solved, so the figures show where the two disagree.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from policies.optimal_control import solve_pontryagin
from labrace.reproductions.paper_scheme import PaperScheme, run_paper_scheme
from labrace.reproductions.problem import TroynikovCase

SWEEP_RANGES: Mapping[str, tuple[float, float]] = {
    "epsilon": (0.1, 0.9),
    "gamma": (0.1, 3.0),
    "rho": (0.01, 0.2),
    "growth": (0.05, 0.5),
}


def sweep(base: TroynikovCase, parameter: str, values: np.ndarray, intervals: int = 2000) -> pd.DataFrame:
    """NPV, final capability and mean alpha of the optimum and of the paper scheme at each value."""
    rows = []
    for value in values:
        case = base.with_(**{parameter: float(value)})
        optimum = solve_pontryagin(case.problem(), intervals)
        scheme = run_paper_scheme(case, PaperScheme())
        rows.append({
            "parameter": parameter, "value": float(value),
            "npv": optimum.npv, "final_capability": float(optimum.capability[-1]),
            "mean_alpha": float(np.mean(optimum.alpha)), "switch_time": optimum.switch_time(),
            "converged": optimum.converged,
            "paper_npv": scheme.npv, "paper_exact_npv": scheme.exact_npv,
            "paper_final_capability": float(scheme.capability[-1]),
            "paper_mean_alpha": float(np.mean(scheme.alpha)),
        })
    return pd.DataFrame(rows)


def all_sweeps(base: TroynikovCase, points: int = 10, intervals: int = 2000) -> pd.DataFrame:
    """Every sweep of :data:`SWEEP_RANGES` in one long table."""
    frames = [sweep(base, name, np.linspace(lo, hi, points), intervals)
              for name, (lo, hi) in SWEEP_RANGES.items()]
    return pd.concat(frames, ignore_index=True)


def sweep_summary(sweeps: pd.DataFrame) -> dict[str, Any]:
    """Per swept parameter: its values, the mean-alpha range and the paper scheme's worst NPV loss.

    The loss is that of the scheme's control, evaluated exactly, relative to the optimum.
    """
    out = {}
    for parameter in SWEEP_RANGES:
        data = sweeps[sweeps["parameter"] == parameter]
        loss = ((data["npv"] - data["paper_exact_npv"]) / data["npv"]).to_numpy()
        out[parameter] = {"values": data["value"].tolist(), "max_paper_loss": float(loss.max()),
                          "max_paper_loss_at": float(data["value"].iloc[int(loss.argmax())]),
                          "mean_alpha_range": [float(data["mean_alpha"].min()), float(data["mean_alpha"].max())]}
    return out
