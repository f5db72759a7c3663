"""The base case's Pontryagin system as a two-point boundary-value problem for ``scipy.integrate.solve_bvp``.

Unknowns (scaled to order one, which solve_bvp's collocation needs to converge from a generic guess):
capability ``M / 100``, present-value costate ``lambda / 1e5`` and accumulated NPV ``J / 1e6``.

    dM/dt      = (alpha C)^eps                                   M(0) = M0
    dlambda/dt = -e^{-rho t} gamma M^(gamma-1) (1 - alpha) C      lambda(T) = 0
    dJ/dt      = e^{-rho t} M^gamma (1 - alpha) C                 J(0) = 0

with alpha from eq. 7, ``alpha = (lambda eps / (e^{-rho t} M^gamma C^(1-eps)))^(1/(1-eps))``, limited to
at most one. The hard ``min(alpha, 1)`` has a kink that makes solve_bvp's Newton iteration stall at tight
tolerances; it is replaced by the softplus-smoothed ``1 - log(1 + e^{s (1 - alpha)}) / s`` with
``s = 1000``, whose effect on the NPV (below 1e-9 relative here) is far under the accuracies compared.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_bvp

from labrace.reproductions.problem import TroynikovCase

SCALE = np.array([100.0, 1e5, 1e6])
SHARPNESS = 1000.0


def _alpha(case: TroynikovCase, t: np.ndarray, M: np.ndarray, costate: np.ndarray) -> np.ndarray:
    C = case.compute0 * np.exp(case.growth * t)
    eps = case.epsilon
    ratio = np.maximum(costate, 0.0) * eps / (np.exp(-case.rho * t) * M ** case.gamma * C ** (1.0 - eps))
    stationary = ratio ** (1.0 / (1.0 - eps))
    return np.maximum(1.0 - np.logaddexp(0.0, SHARPNESS * (1.0 - stationary)) / SHARPNESS, 0.0)


def solve_base_case_bvp(case: TroynikovCase, tol: float, nodes: int = 11, max_nodes: int = 50000) -> dict:
    """Solve from a generic guess (capability linear to 100, costate linear to 0); return NPV and mesh."""
    def rhs(t: np.ndarray, y: np.ndarray) -> np.ndarray:
        M, costate = y[0] * SCALE[0], y[1] * SCALE[1]
        C = case.compute0 * np.exp(case.growth * t)
        alpha = _alpha(case, t, M, costate)
        served = np.exp(-case.rho * t) * (1.0 - alpha) * C
        return np.vstack([(alpha * C) ** case.epsilon / SCALE[0],
                          -served * case.gamma * M ** (case.gamma - 1.0) / SCALE[1],
                          served * M ** case.gamma / SCALE[2]])

    def boundary(ya: np.ndarray, yb: np.ndarray) -> np.ndarray:
        return np.array([ya[0] - case.capability0 / SCALE[0], yb[1], ya[2]])

    t = np.linspace(0.0, case.horizon, nodes)
    guess = np.vstack([np.linspace(case.capability0, 100.0, nodes) / SCALE[0], np.linspace(1.0, 0.0, nodes),
                       np.linspace(0.0, 1.0, nodes)])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = solve_bvp(rhs, boundary, t, guess, tol=tol, max_nodes=max_nodes)
    return {"npv": float(result.y[2, -1] * SCALE[2]), "nodes": int(result.x.size),
            "converged": bool(result.status == 0)}
