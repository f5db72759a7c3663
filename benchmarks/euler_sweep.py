"""A plain forward–backward sweep on an explicit-Euler grid: the textbook method, written from the
equations of the seed paper's §2 (eqs. 1, 5 and 7), as the baseline labrace's solver is measured against.

Forward Euler for capability, backward Euler-in-reverse for the costate, eq. 7 clipped to [0, 1] for the
control, a fixed damping of one half, and a left Riemann sum for the NPV. First order in the step.
"""

from __future__ import annotations

import numpy as np

from labrace.reproductions.problem import TroynikovCase


def euler_sweep(case: TroynikovCase, points: int = 101, tol: float = 1e-12, max_iter: int = 10000) -> dict:
    """Sweep to a fixed point on ``points`` grid points; return the NPV, iterations and final change."""
    t = np.linspace(0.0, case.horizon, points)
    h = t[1] - t[0]
    C = case.compute0 * np.exp(case.growth * t)
    discount = np.exp(-case.rho * t)
    eps, gamma = case.epsilon, case.gamma
    alpha = np.full(points, 0.5)
    change, iterations = np.inf, 0
    M = np.empty(points)
    costate = np.zeros(points)
    while change > tol and iterations < max_iter:
        iterations += 1
        # M[k+1] = M[k] + h (alpha_k C_k)^eps, and lambda[k-1] = lambda[k] + h slope[k] from lambda(T) = 0,
        # written as running sums.
        M[0] = case.capability0
        M[1:] = case.capability0 + np.cumsum(h * (alpha[:-1] * C[:-1]) ** eps)
        slope = discount * gamma * M ** (gamma - 1.0) * (1.0 - alpha) * C
        costate[:-1] = np.cumsum(h * slope[:0:-1])[::-1]
        with np.errstate(divide="ignore"):
            ratio = costate * eps / (discount * M ** gamma * C ** (1.0 - eps))
        target = np.clip(ratio ** (1.0 / (1.0 - eps)), 0.0, 1.0)
        change = float(np.max(np.abs(target - alpha)))
        alpha = 0.5 * (alpha + target)
    npv = float(np.sum(h * discount[:-1] * M[:-1] ** gamma * (1.0 - alpha[:-1]) * C[:-1]))
    return {"npv": npv, "iterations": iterations, "change": change}
