"""An implicit upwind finite-difference scheme for a one-dimensional Hamilton–Jacobi–Bellman equation.

The equation, solved backward from a terminal condition at ``t_end``, is

    v_t + max_a [ r(y, a) + b(y, a) v_y + s(y, a) v_yy ] - rate v + nu (v(t, y + J) - v(t, y)) = 0,

with a drift ``b = up - down`` split by sign (``up, down >= 0``), diffusion ``s >= 0``, a discount
``rate`` (which may be negative) and Poisson jumps of rate ``nu`` shifting the state by ``J``. The scheme
is the standard monotone one (Barles–Souganidis; Forsyth and Labahn 2007): fully implicit in time,
each part of the drift upwinded by its own sign (``up`` by the forward difference, ``down`` by the
backward one), central second differences, and the nonlocal jump term taken explicitly from the later
time level (an IMEX split that keeps the matrix tridiagonal and every coefficient non-negative). The
maximisation inside a step is Howard's policy iteration: solve the linear system for the current
control, re-maximise the discrete Hamiltonian pointwise with the problem's own maximiser (vectorised over
the grid), repeat until the control stops changing. The scheme is first order in the time step and in
the grid spacing.

Outside the grid the value is extrapolated as ``v ∝ exp(kappa y)`` with the problem's asymptotic slopes
``kappa`` at each end (a ghost node for the differences, the same rule for jumps that leave the grid):
exact for power-law value functions, and a Neumann condition when ``kappa = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy.linalg import solve_banded

Array = np.ndarray


@dataclass(frozen=True)
class Coefficients:
    """The equation's terms at every grid node for one control: reward, drift split by sign, diffusion."""

    reward: Array
    up: Array
    down: Array
    diffusion: Array


@dataclass(frozen=True)
class Differences:
    """The discrete derivatives of a value on the grid: forward, backward and central second."""

    forward: Array
    backward: Array
    second: Array


class ControlledProblem(Protocol):
    """What the scheme needs of a problem: its grid, constants, terminal value and two pointwise maps."""

    y: Array  # uniform grid, increasing
    rate: float  # discount of the value (may be negative)
    jump_rate: float
    jump_shift: float
    slope_low: float  # kappa below the grid
    slope_high: float  # kappa above the grid

    def terminal(self) -> Array:
        """The value at ``t_end`` on the grid."""

    def best_control(self, t: float, d: Differences) -> Array:
        """The pointwise argmax of the discrete Hamiltonian ``r + up d.forward - down d.backward + s d.second``."""

    def coefficients(self, t: float, control: Array) -> Coefficients:
        """The equation's terms for ``control`` at time ``t``."""


@dataclass(frozen=True)
class HJBSolution:
    """The value and the control on the time levels ``t`` (rows) and the grid ``y`` (columns).

    ``control[n]`` is the control the scheme uses over ``[t[n], t[n + 1])`` (the last row repeats the
    one before, for lookups at the horizon). ``howard_iterations`` is the total number of linear solves;
    ``unsettled_steps`` counts steps whose policy iteration hit its cap with the control still moving by
    ``worst_change``.
    """

    t: Array
    y: Array
    value: Array
    control: Array
    howard_iterations: int
    unsettled_steps: int
    worst_change: float

    def control_at(self, t: float, y: Array | float) -> Array:
        """The control of the step holding ``t`` at state ``y`` (linear in ``y``, clamped to the grid)."""
        n = int(np.clip(np.searchsorted(self.t, t, side="right") - 1, 0, self.t.size - 2))
        return np.interp(y, self.y, self.control[n])

    def value_at(self, y: Array | float, level: int = 0) -> Array:
        """The value on time level ``level`` at state ``y`` (linear interpolation)."""
        return np.interp(y, self.y, self.value[level])


class _Jumps:
    """The jump term's ``v(y + J)`` as fixed interpolation weights, with the outside-grid extrapolation."""

    def __init__(self, problem: ControlledProblem) -> None:
        y, h = problem.y, problem.y[1] - problem.y[0]
        target = y + problem.jump_shift
        position = np.clip((target - y[0]) / h, 0.0, y.size - 1.0)
        self.left = np.minimum(position.astype(int), y.size - 2)
        self.weight = position - self.left
        self.scale = np.ones_like(y)
        above, below = target > y[-1], target < y[0]
        self.scale[above] = np.exp(problem.slope_high * (target[above] - y[-1]))
        self.scale[below] = np.exp(problem.slope_low * (target[below] - y[0]))

    def __call__(self, v: Array) -> Array:
        inside = (1.0 - self.weight) * v[self.left] + self.weight * v[self.left + 1]
        return self.scale * inside


def differences(v: Array, h: float, ghost_low: float, ghost_high: float) -> Differences:
    """Forward, backward and central second differences of ``v`` with the ghost-node extrapolation."""
    padded = np.concatenate(([ghost_low * v[0]], v, [ghost_high * v[-1]]))
    forward = (padded[2:] - padded[1:-1]) / h
    backward = (padded[1:-1] - padded[:-2]) / h
    return Differences(forward, backward, (forward - backward) / h)


def solve_hjb(problem: ControlledProblem, t0: float, t_end: float, steps: int, tol: float = 1e-10,
              max_howard: int = 30, control0: Array | None = None) -> HJBSolution:
    """March the HJB equation of ``problem`` from ``t_end`` back to ``t0`` in ``steps`` implicit steps.

    Each step solves ``(I - dt L_a) v^n = v^{n+1} + dt (r_a + nu v^{n+1}(y + J))`` for the tridiagonal
    upwind operator ``L_a`` (discount and jump loss on its diagonal), alternating with the pointwise
    maximisation until the control moves by less than ``tol`` (at most ``max_howard`` solves). The
    first step's control starts from ``control0`` (or the maximiser at the terminal value), each later
    one from the step after it.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    y = np.asarray(problem.y, dtype=float)
    h = float(y[1] - y[0])
    dt = (t_end - t0) / steps
    t = np.linspace(t0, t_end, steps + 1)
    ghost_low, ghost_high = np.exp(-problem.slope_low * h), np.exp(problem.slope_high * h)
    jumps = _Jumps(problem)
    value = np.empty((steps + 1, y.size))
    control = np.empty((steps + 1, y.size))
    value[-1] = problem.terminal()
    a = (problem.best_control(t_end, differences(value[-1], h, ghost_low, ghost_high)) if control0 is None
         else np.asarray(control0, dtype=float))
    loss = problem.rate + problem.jump_rate
    solves, unsettled, worst = 0, 0, 0.0
    banded = np.empty((3, y.size))
    for n in range(steps - 1, -1, -1):
        later = value[n + 1]
        gain = problem.jump_rate * jumps(later) if problem.jump_rate > 0 else 0.0
        for iteration in range(max_howard):
            c = problem.coefficients(t[n], a)
            upper = c.up / h + c.diffusion / h ** 2
            lower = c.down / h + c.diffusion / h ** 2
            diagonal = 1.0 + dt * (upper + lower + loss)
            diagonal[0] -= dt * lower[0] * ghost_low
            diagonal[-1] -= dt * upper[-1] * ghost_high
            banded[0, 1:] = -dt * upper[:-1]
            banded[1] = diagonal
            banded[2, :-1] = -dt * lower[1:]
            v = solve_banded((1, 1), banded, later + dt * (c.reward + gain), check_finite=False)
            solves += 1
            improved = problem.best_control(t[n], differences(v, h, ghost_low, ghost_high))
            change = float(np.max(np.abs(improved - a)))
            a = improved
            if change <= tol:
                break
        else:
            unsettled += 1
            worst = max(worst, change)
        value[n] = v
        control[n] = a
    control[-1] = control[-2]
    return HJBSolution(t, y, value, control, solves, unsettled, worst)
