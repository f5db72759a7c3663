"""The paper's steady-state claims (§4) checked against exact and long-horizon numerical optima.

Three closed forms are compared (see :mod:`policies.steady_state`):

* eq. 11, the paper's ``eps / (eps + (gamma - 1)(1 - g/rho))``;
* the best *constant* share ``gamma eps / (1 + gamma eps)``, exact when capability starts negligible;
* the balanced-growth share ``gamma eps^2 g / (rho - g (1 + eps (gamma - 1) - gamma eps^2))``, the
  Pontryagin optimum on a path where alpha is constant and capability grows at ``eps g``; it needs
  ``rho > (1 + gamma eps) g`` (otherwise discounted revenue grows and no steady state exists).

The numerical checks are: the best constant share found by maximising the exactly integrated NPV, and
the optimal alpha in the middle of a long horizon (far from both the start, where ``M(0)`` matters,
and the end, where the transversality condition pulls alpha to 0).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from policies.optimal_control import npv_piecewise, solve_pontryagin
from policies.steady_state import balanced_growth_share, constant_share, paper_share
from labrace.reproductions.problem import TroynikovCase

PAPER_CODE_RHO = 0.15  # the published steady-state script's discount rate (the text states 0.05)
CONSTANT_HORIZON = 100.0  # horizon of the published script's constant-alpha simulations
LONG_HORIZON = 300.0
# (epsilon, gamma, rho, growth) points inside the balanced-growth region, spread over the parameters.
BALANCED_CASES = ((0.5, 2.0, 0.3, 0.1), (0.5, 2.0, 0.25, 0.1), (0.5, 2.0, 0.5, 0.1), (0.3, 3.0, 0.3, 0.1),
                  (0.7, 1.5, 0.4, 0.1), (0.5, 0.5, 0.2, 0.1), (0.5, 2.0, 0.15, 0.05))


def constant_npv(case: TroynikovCase, alpha: float, pieces: int = 1000) -> float:
    """Exact NPV of holding ``alpha`` constant over the whole horizon."""
    return npv_piecewise(case.problem(), np.full(pieces, alpha))[0]


def best_constant(case: TroynikovCase) -> float:
    """The NPV-maximising constant share (bounded scalar search to 1e-10)."""
    result = minimize_scalar(lambda a: -constant_npv(case, a), bounds=(1e-9, 1.0 - 1e-9), method="bounded",
                             options={"xatol": 1e-10})
    return float(result.x)


def constant_curve(case: TroynikovCase, alphas: Sequence[float]) -> pd.DataFrame:
    """NPV of each constant share in ``alphas`` (for the figure of NPV against constant alpha)."""
    return pd.DataFrame({"alpha": list(alphas), "npv": [constant_npv(case, a) for a in alphas]})


def mid_horizon_alpha(case: TroynikovCase, per_year: int = 100) -> float:
    """Optimal alpha at the middle of ``case``'s horizon (sweep on ``per_year`` intervals per year)."""
    result = solve_pontryagin(case.problem(), int(case.horizon * per_year), max_iter=5000)
    return float(result.alpha_at(0.5 * case.horizon))


def formulas(epsilon: float, gamma: float, rho: float, growth: float) -> dict[str, Any]:
    """The three closed forms at one point, with their validity flags."""
    eps, g, r = np.array([epsilon]), np.array([growth]), np.array([rho])
    paper, paper_ok = paper_share(eps, gamma, g, r)
    bgp, bgp_ok = balanced_growth_share(eps, gamma, g, r)
    return {"eq11": float(paper[0]), "eq11_valid": bool(paper_ok[0]), "balanced_growth": float(bgp[0]),
            "balanced_growth_valid": bool(bgp_ok[0]),
            "best_constant_m0_to_0": float(constant_share(eps, gamma)[0])}


def balanced_growth_check(cases: Sequence[tuple[float, float, float, float]] = BALANCED_CASES,
                          horizon: float = LONG_HORIZON) -> pd.DataFrame:
    """Long-horizon mid-point optimum beside the closed forms, for each (eps, gamma, rho, g)."""
    rows = []
    for eps, gamma, rho, g in cases:
        case = TroynikovCase(epsilon=eps, gamma=gamma, rho=rho, growth=g, horizon=horizon)
        rows.append({"epsilon": eps, "gamma": gamma, "rho": rho, "growth": g,
                     "numerical_mid_alpha": mid_horizon_alpha(case), **formulas(eps, gamma, rho, g)})
    frame = pd.DataFrame(rows)
    frame["balanced_growth_error"] = (frame["numerical_mid_alpha"] - frame["balanced_growth"]).abs()
    frame["eq11_error"] = (frame["numerical_mid_alpha"] - frame["eq11"]).abs()
    return frame


def steady_state_summary(base: TroynikovCase, quick: bool = False) -> tuple[dict[str, Any], pd.DataFrame]:
    """The numbers behind the paper's "0.6 analytical vs 0.5 numerical", and the balanced-growth table."""
    paper_code = base.with_(rho=PAPER_CODE_RHO, horizon=CONSTANT_HORIZON)
    stated = base.with_(horizon=CONSTANT_HORIZON)
    outside = base.with_(rho=PAPER_CODE_RHO, horizon=LONG_HORIZON)
    check = balanced_growth_check(BALANCED_CASES[:3] if quick else BALANCED_CASES)
    summary = {
        "eq11_at_stated_rho": formulas(base.epsilon, base.gamma, base.rho, base.growth),
        "eq11_at_paper_code_rho": formulas(base.epsilon, base.gamma, PAPER_CODE_RHO, base.growth),
        "paper_code_rho": PAPER_CODE_RHO,
        "best_constant_alpha": {
            "horizon": CONSTANT_HORIZON,
            "at_paper_code_rho": best_constant(paper_code),
            "at_stated_rho": best_constant(stated),
            "at_paper_code_rho_m0_1e-6": best_constant(paper_code.with_(capability0=1e-6)),
            "formula_m0_to_0": float(constant_share(np.array([base.epsilon]), base.gamma)[0]),
        },
        "steady_state_exists_if_rho_above": (1.0 + base.gamma * base.epsilon) * base.growth,
        "long_horizon_outside_region": _outside_region(outside),
        "balanced_growth_max_error": float(check["balanced_growth_error"].max()),
        "eq11_max_error_where_valid": float(check.loc[check["eq11_valid"], "eq11_error"].max()),
    }
    return summary, check


def _outside_region(case: TroynikovCase) -> dict[str, Any]:
    """What the long-horizon optimum does where no steady state exists (rho <= (1 + gamma eps) g)."""
    result = solve_pontryagin(case.problem(), int(case.horizon * 100), max_iter=5000)
    times = [case.horizon * f for f in (0.25, 0.5, 0.75, 0.95)]
    return {"rho": case.rho, "horizon": case.horizon, "switch_time": result.switch_time(),
            "alpha_at": {f"{x:g}": float(result.alpha_at(x)) for x in times}}


# Figure 7's panels: (parameter, values of the curve, points checked numerically); the other parameters
# stay at the base case with g/rho = 1/3, where a steady state exists for every gamma * eps < 2.
SENSITIVITY_RHO, SENSITIVITY_GROWTH = 0.3, 0.1
SENSITIVITY_PANELS = {
    "epsilon": (np.linspace(0.1, 0.9, 81), (0.2, 0.4, 0.6, 0.8)),
    "gamma": (np.linspace(0.1, 3.0, 59), (0.5, 1.0, 2.0, 3.0)),
    "g_over_rho": (np.linspace(0.05, 0.9, 86), (0.1, 0.2, 0.3, 0.4)),
}


def _point(base: TroynikovCase, parameter: str, value: float) -> tuple[float, float, float, float]:
    """(epsilon, gamma, rho, growth) of one point of figure 7."""
    rho = SENSITIVITY_GROWTH / value if parameter == "g_over_rho" else SENSITIVITY_RHO
    eps = value if parameter == "epsilon" else base.epsilon
    gamma = value if parameter == "gamma" else base.gamma
    return eps, gamma, rho, SENSITIVITY_GROWTH


def sensitivity_curves(base: TroynikovCase, quick: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Closed forms along each panel's parameter, and long-horizon numerical optima at a few points."""
    curves, points = [], []
    for parameter, (values, checked) in SENSITIVITY_PANELS.items():
        for value in values:
            curves.append({"parameter": parameter, "value": float(value),
                           **formulas(*_point(base, parameter, float(value)))})
        for value in checked[:2] if quick else checked:
            eps, gamma, rho, g = _point(base, parameter, value)
            case = TroynikovCase(epsilon=eps, gamma=gamma, rho=rho, growth=g, horizon=LONG_HORIZON)
            points.append({"parameter": parameter, "value": value, "numerical_mid_alpha": mid_horizon_alpha(case)})
    return pd.DataFrame(curves), pd.DataFrame(points)
