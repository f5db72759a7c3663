"""Maximising many one-dimensional objectives at once: a grid of candidates, then golden-section search.

Each Bellman step asks every grid point for its player's best action, a scalar problem per point. The
objective is evaluated for all points together (one vectorised call per round), first on ``candidates``
evenly spaced actions across each point's feasible interval, then by golden-section search inside the
bracket around the best candidate. The grid makes the search global enough for objectives with a few
local maxima; the golden section then narrows the bracket by a constant factor per evaluation, so the
accuracy ``xtol`` (relative to the feasible interval) costs a known number of evaluations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from policies.base import Array

INVERSE_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0

Objective = Callable[[Array], Array]
"""Maps actions (P, m) for the P points to objective values (P, m)."""


@dataclass(frozen=True)
class Maximum:
    """The best action found at each point and the objective there, both (P,)."""

    argmax: Array
    value: Array


def maximise(objective: Objective, lower: Array, upper: Array, candidates: int = 15,
             xtol: float = 1e-10) -> Maximum:
    """Maximise ``objective`` over ``[lower, upper]`` independently at every point.

    The result is never worse than the best candidate, so an objective whose maximum sits at an end of
    the interval (a binding constraint) is solved as well as an interior one.
    """
    if candidates < 3:
        raise ValueError("at least three candidates are needed to bracket a maximum")
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    width = upper - lower
    grid = lower[:, None] + width[:, None] * np.linspace(0.0, 1.0, candidates)
    values = objective(grid)
    best = np.argmax(values, axis=1)
    rows = np.arange(lower.size)
    best_x, best_f = grid[rows, best], values[rows, best]
    a = grid[rows, np.maximum(best - 1, 0)]
    b = grid[rows, np.minimum(best + 1, candidates - 1)]
    c, d = b - INVERSE_GOLDEN * (b - a), a + INVERSE_GOLDEN * (b - a)
    fc, fd = _column(objective, c), _column(objective, d)
    steps = int(np.ceil(np.log(xtol * (candidates - 1) / 2.0) / np.log(INVERSE_GOLDEN)))
    for _ in range(max(steps, 0)):
        left = fc >= fd
        a, b = np.where(left, a, c), np.where(left, d, b)
        c, d, fc, fd = (np.where(left, b - INVERSE_GOLDEN * (b - a), d), np.where(left, c, a + INVERSE_GOLDEN * (b - a)),
                        np.where(left, np.nan, fd), np.where(left, fc, np.nan))
        new = np.where(left, c, d)
        fnew = _column(objective, new)
        fc, fd = np.where(left, fnew, fc), np.where(left, fd, fnew)
    x, f = np.where(fc >= fd, c, d), np.maximum(fc, fd)
    better = f > best_f
    return Maximum(np.where(better, x, best_x), np.where(better, f, best_f))


def _column(objective: Objective, x: Array) -> Array:
    return objective(x[:, None])[:, 0]


def maximise_smooth(objective: Objective, lower: Array, upper: Array, candidates: int = 11,
                    bracket: float = 1e-3, polish: int = 2) -> Maximum:
    """:func:`maximise` to a coarse ``bracket``, then ``polish`` steps of successive parabolic interpolation.

    Golden section gains a constant factor per evaluation; near a smooth maximum a parabola through
    three points lands within the square of their spread, so a few parabolic steps finish what golden
    section would need dozens of evaluations for. Each step fits the parabola through the best point and
    its neighbours one spread either side (clipped to the interval) and keeps the vertex only where it
    is better, so the result is never worse than the coarse maximum; the spread shrinks to the last
    step's move.
    """
    best = maximise(objective, lower, upper, candidates=candidates, xtol=bracket)
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    x, f = best.argmax, best.value
    spread = bracket * (upper - lower)
    for _ in range(polish):
        left, right = np.maximum(x - spread, lower), np.minimum(x + spread, upper)
        sides = objective(np.stack([left, right], axis=1))
        vertex = _vertex(left, sides[:, 0], x, f, right, sides[:, 1])
        fv = _column(objective, vertex)
        candidates_x = np.stack([x, left, right, vertex], axis=1)
        candidates_f = np.stack([f, sides[:, 0], sides[:, 1], fv], axis=1)
        pick = np.argmax(np.where(np.isfinite(candidates_f), candidates_f, -np.inf), axis=1)
        rows = np.arange(x.size)
        moved = np.abs(candidates_x[rows, pick] - x)
        x, f = candidates_x[rows, pick], candidates_f[rows, pick]
        spread = np.maximum(moved, 1e-3 * spread)
    return Maximum(x, f)


def _vertex(x1: Array, f1: Array, x2: Array, f2: Array, x3: Array, f3: Array) -> Array:
    """The vertex of the parabola through three points, kept inside ``[x1, x3]`` (``x2`` where the
    points are degenerate or the parabola opens upwards)."""
    a, b = (x2 - x1) * (f2 - f3), (x2 - x3) * (f2 - f1)
    denominator = a - b
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = x2 - 0.5 * ((x2 - x1) * a - (x2 - x3) * b) / denominator
    concave = (denominator != 0) & (f2 >= np.minimum(f1, f3))
    return np.where(concave & np.isfinite(vertex), np.clip(vertex, x1, x3), x2)
