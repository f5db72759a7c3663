"""The base-case optimum and its verification by two independent routes.

The optimum comes from the forward–backward sweep (:func:`solve_pontryagin`). It is checked by

* grid convergence: the same sweep on several grids must give the same NPV;
* the direct method: the best piecewise-constant alpha on ``P`` pieces falls short of the continuous
  optimum by ``c / P^2``, so Richardson extrapolation of two piece counts, ``(4 V_{2P} - V_P) / 3``,
  estimates the optimum without using the costate at all.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from policies.optimal_control import ControlResult, LabProblem, solve_direct, solve_pontryagin
from labrace.reproductions.problem import TroynikovCase

TRAJECTORY_COLUMNS = ("t", "alpha", "capability", "costate", "revenue", "npv")


def solve_optimum(case: TroynikovCase, intervals: int = 2000) -> ControlResult:
    """The Pontryagin optimum of ``case`` on ``intervals`` grid intervals."""
    return solve_pontryagin(case.problem(), intervals)


def trajectory_frame(result: ControlResult, points: int = 1001) -> pd.DataFrame:
    """The optimum on ``points`` evenly spaced grid times (``points - 1`` must divide the intervals).

    ``npv`` is the discounted revenue accumulated up to ``t``.
    """
    intervals = result.t.size - 1
    if intervals % (points - 1):
        raise ValueError(f"{points - 1} output intervals do not divide {intervals} grid intervals")
    every = intervals // (points - 1)
    columns = (result.t, result.alpha, result.capability, result.costate, result.revenue, result.npv_path)
    return pd.DataFrame({name: values[::every] for name, values in zip(TRAJECTORY_COLUMNS, columns)})


def richardson(coarse: float, fine: float, order: int = 2) -> float:
    """Extrapolate two values with error ``c h^order`` at step ``h`` and ``h / 2``."""
    factor = 2.0 ** order
    return (factor * fine - coarse) / (factor - 1.0)


def direct_chain(problem: LabProblem, pieces: Sequence[int]) -> Iterator[tuple[int, ControlResult]]:
    """The direct method for increasing piece counts, each warm-started from the previous solution.

    The first count starts from alpha = 0.5; a later count that is a multiple of the previous one
    starts from its levels, repeated. Nothing from the Pontryagin solution is used.
    """
    previous: ControlResult | None = None
    for count in sorted(int(p) for p in pieces):
        start = None
        if previous is not None and count % (previous.t.size - 1) == 0:
            start = np.repeat(previous.alpha[:-1], count // (previous.t.size - 1))
        previous = solve_direct(problem, count, alpha0=start)
        yield count, previous


def verify(case: TroynikovCase, optimum: ControlResult, pieces: Sequence[int] = (100, 200, 400, 800),
           grids: Sequence[int] = (500, 1000, 2000, 4000, 8000)) -> dict[str, Any]:
    """Direct-method and grid-convergence checks of ``optimum`` (a Pontryagin result for ``case``)."""
    problem = case.problem()
    direct = {count: result.npv for count, result in direct_chain(problem, pieces)}
    finest_two = sorted(direct)[-2:]
    extrapolated = richardson(direct[finest_two[0]], direct[finest_two[1]])
    by_grid = {int(n): solve_pontryagin(problem, int(n)).npv for n in grids}
    finest = by_grid[max(by_grid)]
    return {
        "direct": {
            "method": "L-BFGS-B over P piecewise-constant levels, exact gradient",
            "npv_by_pieces": {str(p): v for p, v in direct.items()},
            "relative_gap_by_pieces": {str(p): (optimum.npv - v) / optimum.npv for p, v in direct.items()},
            "richardson_pieces": finest_two,
            "richardson_npv": extrapolated,
            "richardson_relative_gap": abs(extrapolated - optimum.npv) / optimum.npv,
        },
        "grid_convergence": {
            "npv_by_intervals": {str(n): v for n, v in by_grid.items()},
            "relative_gap_to_finest": {str(n): abs(v - finest) / abs(finest) for n, v in by_grid.items()},
            "finest_intervals": max(by_grid),
        },
    }


def maximiser_agreement(case: TroynikovCase, optimum: ControlResult) -> dict[str, float]:
    """Eq. 7 (closed form, used by ``optimum``) against a numerical argmax of H on the same grid."""
    numerical = solve_pontryagin(case.problem(), optimum.t.size - 1, argmax="numerical")
    return {"max_alpha_difference": float(np.max(np.abs(numerical.alpha - optimum.alpha))),
            "npv_relative_difference": abs(numerical.npv - optimum.npv) / optimum.npv}


def solver_summary(result: ControlResult) -> dict[str, Any]:
    return {"method": result.method, "grid_points": result.grid_points, "iterations": result.iterations,
            "residual": result.change, "converged": result.converged}


def optimum_summary(result: ControlResult) -> dict[str, Any]:
    """Headline numbers of an optimum (switch time: first t with alpha < 1 - 1e-6)."""
    return {"npv": result.npv, "final_capability": float(result.capability[-1]),
            "switch_time": result.switch_time(), "mean_alpha": float(np.mean(result.alpha))}
