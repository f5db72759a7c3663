"""Optimal control of one lab's training share: Pontryagin's principle and a direct check.

The problem (model.md §4) is

    maximise  NPV = ∫_{t0}^{T} e^{-rho t} R(M(x), alpha, t) dt   over alpha(t) ∈ [0, 1]
    subject to dx/dt = f(alpha, C(t)),  x(t0) = x0,  C(t) = C0 e^{g (t - t0)},

where ``x`` is the law's planning state (capability for ``power``, cumulative training compute for
``chinchilla``) and ``R`` is any revenue function of (M, alpha, t) with its derivative in M (a monopoly, or a
competitive market against forecast rivals; see :mod:`policies.revenue`).

:func:`solve_pontryagin` is a forward–backward sweep. Both laws have a rate independent of ``x``, so the
state and the present-value costate ``lambda(t) = ∫_t^T e^{-rho s} dR/dx ds`` are plain integrals, computed
on the whole grid at once with cumulative Simpson quadrature (fourth order where alpha is smooth). The
Hamiltonian ``H = e^{-rho t} R + lambda f`` is maximised pointwise, by the law's closed form when revenue
is separable (Troynikov's eq. 7 for the power law) and otherwise by a vectorised scan-and-bisect search over [0, 1]. The sweep is a
damped fixed-point iteration on alpha and reports its last change as the convergence measure.

:func:`solve_direct` is the independent check: it maximises the NPV over a piecewise-constant alpha with
L-BFGS-B, integrating each piece exactly (the law's closed-form advance) and its revenue by Gauss–Legendre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
from scipy.integrate import cumulative_simpson, simpson
from scipy.optimize import minimize

from labs.laws import CapabilityLaw
from policies.revenue import MarketRevenue

Array = np.ndarray


@dataclass(frozen=True)
class LabProblem:
    """One lab's optimal-control problem from ``t0`` to ``t_end``; law parameters are scalars.

    ``multiplier`` is the lab's breakthrough multiplier (the law's :meth:`~labs.laws.base.CapabilityLaw.multiplier`
    at its current state), held fixed over the plan. The Hamiltonian and its derivative are elementwise, so
    ``x0``, ``discount``, ``multiplier``, the law parameters and the revenue's compute may also be arrays
    over several labs' problems evaluated side by side (the myopic argmax does this); the sweep solvers
    take one lab at a time.
    """

    law: CapabilityLaw
    law_params: Mapping[str, float]
    x0: float
    revenue: MarketRevenue
    discount: float
    t0: float
    t_end: float
    multiplier: float = 1.0

    def __post_init__(self) -> None:
        if not self.t_end > self.t0:
            raise ValueError(f"t_end ({self.t_end}) must be after t0 ({self.t0})")
        if not np.all(np.asarray(self.discount) > 0):
            raise ValueError(f"discount must be > 0, got {self.discount}")
        x0 = np.asarray(self.x0)
        if not np.all(np.isfinite(x0) & (x0 > 0)):
            raise ValueError(f"initial state x0 must be finite and > 0, got {self.x0}")

    def capability(self, x: Array) -> Array:
        return self.law.capability(x, self.law_params, self.multiplier)

    def dcapability_dx(self, x: Array) -> Array:
        return self.law.dcapability_dx(x, self.law_params, self.multiplier)

    def on_grid(self, t: Array) -> "ProblemGrid":
        """The problem on fixed times ``t``: discount factor, compute and revenue terms computed once."""
        return ProblemGrid(self, np.asarray(t, dtype=float))

    @property
    def closed_form(self) -> bool:
        """The law's closed-form Hamiltonian maximiser applies: revenue is ``omega M^gamma (1 - alpha) C``."""
        return self.revenue.separable and self.law.separable_argmax is not None


class ProblemGrid:
    """A :class:`LabProblem` on fixed times: what the sweep evaluates many times on one grid."""

    def __init__(self, problem: LabProblem, t: Array) -> None:
        self.problem = problem
        self.t = t
        self.discount = np.exp(-problem.discount * t)
        self.revenue = problem.revenue.on_grid(t)
        self.compute = self.revenue.compute

    def rate(self, alpha: Array) -> Array:
        return self.problem.law.rate(alpha, self.compute, self.problem.law_params)

    def at(self, x: Array, costate: Array) -> "HamiltonianAt":
        """The Hamiltonian at state ``x`` and costate ``costate``, as a function of alpha."""
        return HamiltonianAt(self, x, costate)


class HamiltonianAt:
    """``H(alpha) = e^{-rho t} R(M(x), alpha, t) + lambda rate(alpha, C)`` at a fixed state and costate."""

    def __init__(self, grid: ProblemGrid, x: Array, costate: Array) -> None:
        self.grid = grid
        self.costate = costate
        self.capability = grid.problem.capability(x)
        self.revenue = grid.revenue.at(self.capability)

    def value(self, alpha: Array) -> Array:
        g = self.grid
        return g.discount * self.revenue.revenue(alpha) + self.costate * g.rate(alpha)

    def slope(self, alpha: Array) -> Array:
        """dH/dalpha."""
        g = self.grid
        p = g.problem
        drate = p.law.drate_dalpha(alpha, g.compute, p.law_params)
        return g.discount * self.revenue.dalpha(alpha) + self.costate * drate


@dataclass
class ControlResult:
    """Solution of a :class:`LabProblem`, in the spirit of SciPy's ``OptimizeResult``.

    ``change`` is the largest change of alpha over the grid in the last iteration (the fixed-point
    residual of the sweep); ``npv_path`` is the discounted revenue accumulated up to each grid time.
    """

    t: Array
    alpha: Array
    state: Array
    capability: Array
    costate: Array
    revenue: Array
    npv_path: Array
    npv: float
    iterations: int
    change: float
    converged: bool
    method: str
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def grid_points(self) -> int:
        return int(self.t.size)

    def alpha_at(self, t: Array | float) -> Array:
        return np.interp(t, self.t, self.alpha)

    def switch_time(self, threshold: float = 1e-6) -> float:
        """First grid time where alpha drops below ``1 - threshold`` (nan if it never does)."""
        below = np.flatnonzero(self.alpha < 1.0 - threshold)
        return float(self.t[below[0]]) if below.size else float("nan")


def maximise_hamiltonian(h: HamiltonianAt, coarse: int = 17, iterations: int = 52) -> Array:
    """Pointwise argmax of H over alpha ∈ [0, 1], vectorised over the grid.

    A coarse scan of H locates the best bracket (guarding against a non-concave H); bisection on the sign
    of dH/dalpha then narrows it to 2^-iterations / coarse (below 1e-16 by default). Bisecting the
    derivative, not comparing values of H, is what gets alpha to full precision: near its maximum H is
    flat to rounding over a range of about 1e-8 in alpha. The end points are compared explicitly so
    corner solutions are exact.
    """
    levels = np.linspace(0.0, 1.0, coarse)[:, None]
    scan = h.value(levels)
    best = np.argmax(scan, axis=0)
    lo = levels[np.maximum(best - 1, 0), 0]
    hi = levels[np.minimum(best + 1, coarse - 1), 0]
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        rising = h.slope(mid) > 0
        lo = np.where(rising, mid, lo)
        hi = np.where(rising, hi, mid)
    candidates = np.stack([0.5 * (lo + hi), np.zeros_like(lo), np.ones_like(lo)])
    values = h.value(candidates)
    return candidates[np.argmax(values, axis=0), np.arange(candidates.shape[1])]


def closed_form_alpha(h: HamiltonianAt) -> Array:
    """The law's closed-form maximiser for separable revenue ``omega M^gamma (1 - alpha) C``.

    One unit of serving compute earns ``e^{-rho t} omega M^gamma`` there, which is all the law needs.
    """
    g = h.grid
    p = g.problem
    serving_value = g.discount * p.revenue.market.omega * h.revenue.value_per_token
    return p.law.separable_argmax(serving_value, h.costate, g.compute, p.law_params)


def _trajectory(grid: ProblemGrid, alpha: Array, h: float) -> tuple[Array, Array, Array]:
    """State, capability and costate on the grid for a given alpha (all by cumulative Simpson)."""
    problem = grid.problem
    x = problem.x0 + cumulative_simpson(grid.rate(alpha), dx=h, initial=0.0)
    M = problem.capability(x)
    dR_dx = grid.revenue.dM(M, alpha) * problem.dcapability_dx(x)
    integrand = grid.discount * dR_dx
    costate = cumulative_simpson(integrand[::-1], dx=h, initial=0.0)[::-1]
    return x, M, costate


def _anderson(steps: list[Array], residuals: list[Array], theta: float, memory: int) -> Array:
    """Next iterate of the damped fixed-point map ``alpha + theta (target - alpha)``, Anderson-accelerated.

    The last ``memory`` differences of iterates and residuals fit the combination of past steps whose
    residual is smallest (least squares, by its normal equations); the step extrapolates along it,
    then is clipped to [0, 1].
    With one iterate, or ``memory = 0``, it is the plain damped step. The caller forgets the history
    whenever the residual grows, which falls back to damping alone.
    """
    del steps[:-memory - 1]
    del residuals[:-memory - 1]
    alpha, residual = steps[-1], residuals[-1]
    if len(steps) < 2:
        return alpha + theta * residual
    d_alpha = np.diff(np.array(steps), axis=0)
    d_residual = np.diff(np.array(residuals), axis=0)
    # Normal equations of the small least-squares problem (memory x memory), lightly regularised: far
    # cheaper than a factorisation of the tall (grid x memory) matrix and accurate enough for a step.
    gram = d_residual @ d_residual.T
    gram[np.diag_indices_from(gram)] += 1e-12 * np.trace(gram) + 1e-300
    weights = np.linalg.solve(gram, d_residual @ residual)
    return np.clip(alpha + theta * residual - (d_alpha + theta * d_residual).T @ weights, 0.0, 1.0)


def solve_pontryagin(problem: LabProblem, intervals: int = 2000, alpha0: Array | None = None,
                     tol: float = 1e-10, max_iter: int = 2000, damping: float = 0.5,
                     argmax: str = "auto", memory: int = 5) -> ControlResult:
    """Forward–backward sweep for ``problem`` on a uniform grid of ``intervals`` steps.

    ``alpha0`` (values on the grid) warm-starts the sweep; ``argmax`` is ``"closed_form"``,
    ``"numerical"`` or ``"auto"`` (closed form where it applies). Converged means the largest change of
    alpha in an iteration fell below ``tol``, except possibly in a narrow band of grid points holding a
    bang-bang switch (their number is in the message and ``extra["switch_cells"]``). The damping factor
    shrinks automatically when the change grows, which is what keeps the sweep stable for strongly convex
    revenue. ``memory`` past iterates
    Anderson-accelerate the damped iteration (0: damping alone); it cuts the sweeps several-fold.
    """
    if intervals < 2:
        raise ValueError(f"intervals must be >= 2, got {intervals}")
    t = np.linspace(problem.t0, problem.t_end, intervals + 1)
    h = (problem.t_end - problem.t0) / intervals
    if argmax == "auto":
        argmax = "closed_form" if problem.closed_form else "numerical"
    if argmax == "closed_form" and not problem.closed_form:
        raise ValueError("the closed-form maximiser needs separable revenue and a law that has one")
    maximiser = closed_form_alpha if argmax == "closed_form" else maximise_hamiltonian
    grid = problem.on_grid(t)
    alpha = np.full(t.size, 0.5) if alpha0 is None else np.clip(np.asarray(alpha0, float), 0.0, 1.0)
    if alpha.shape != t.shape:
        raise ValueError(f"alpha0 has {alpha.size} values for {t.size} grid points")
    theta, previous, change, iterations = damping, np.inf, np.inf, 0
    switch_cells = 0
    last_target: Array | None = None
    steps: list[Array] = []
    residuals: list[Array] = []
    for iterations in range(1, max_iter + 1):
        x, M, costate = _trajectory(grid, alpha, h)
        target = maximiser(grid.at(x, costate))
        residual = target - alpha
        unsettled = np.abs(residual) >= tol
        change = float(np.max(np.abs(residual[~unsettled]), initial=0.0))
        if not unsettled.any():
            alpha = target
            break
        if last_target is not None and _only_a_switch_band(unsettled, target, last_target):
            switch_cells = int(np.count_nonzero(unsettled))
            break
        last_target = target
        change = float(np.max(np.abs(residual)))
        if change > previous:
            theta = max(0.05, 0.7 * theta)
            steps.clear()
            residuals.clear()
        previous = change
        steps.append(alpha)
        residuals.append(residual)
        alpha = _anderson(steps, residuals, theta, memory)
    x, M, costate = _trajectory(grid, alpha, h)
    revenue = grid.revenue(M, alpha)
    discounted = grid.discount * revenue
    npv_path = cumulative_simpson(discounted, dx=h, initial=0.0)
    converged = change < tol
    message = "converged" if converged else f"not converged after {iterations} iterations"
    if converged and switch_cells:
        message = f"converged except for {switch_cells} grid point(s) holding a bang-bang switch"
    return ControlResult(
        t=t, alpha=alpha, state=x, capability=M, costate=costate, revenue=revenue, npv_path=npv_path,
        npv=float(npv_path[-1]), iterations=iterations, change=change, converged=converged,
        method=f"forward-backward sweep ({argmax} argmax, cumulative Simpson)",
        message=message, extra={"switch_cells": switch_cells})


def _only_a_switch_band(unsettled: Array, target: Array, last_target: Array, width: int = 16) -> bool:
    """True when alpha has settled everywhere but in a narrow band of grid points (at most ``width``
    wide) whose Hamiltonian maximisers are all corners (0 or 1), some of which jumped between 0 and 1
    since the last sweep.

    That is the signature of a bang-bang switch falling between grid points: there the maximiser flips
    between 0 and 1 from sweep to sweep (the Simpson weights couple a few neighbours) while the rest of
    the control, the state and the costate have converged. The switch is then resolved to the grid and
    further sweeps would only bounce.
    """
    cells = np.flatnonzero(unsettled)
    if cells[-1] - cells[0] >= width:
        return False
    corner = np.minimum(np.abs(target[cells]), np.abs(1.0 - target[cells]))
    jumped = np.abs(target[cells] - last_target[cells]) > 0.5
    return bool(np.all(corner < 1e-9) and np.any(jumped))


def npv_piecewise(problem: LabProblem, levels: Array, nodes: int = 8) -> tuple[float, Array]:
    """NPV of a piecewise-constant alpha on equal pieces, and its gradient with respect to the levels.

    Each piece's state is advanced exactly by the law; revenue inside a piece is integrated by
    ``nodes``-point Gauss–Legendre, exact to rounding for these smooth integrands. The gradient is the
    exact derivative of that quadrature: a level changes its own piece's revenue and, through the state
    it leaves behind, the revenue of every later piece.
    """
    levels = np.clip(np.asarray(levels, dtype=float), 0.0, 1.0)
    pieces = levels.size
    width = (problem.t_end - problem.t0) / pieces
    starts = problem.t0 + width * np.arange(pieces)
    rev, law, p, g = problem.revenue, problem.law, problem.law_params, problem.revenue.growth
    C_start = rev.compute(starts)
    x_start = problem.x0 + np.concatenate([[0.0], np.cumsum(law.gain(levels, C_start, g, width, p))[:-1]])
    u, w = np.polynomial.legendre.leggauss(nodes)
    s = (0.5 * width * (u + 1.0))[None, :]
    weights = 0.5 * width * w[None, :]
    a, C0 = levels[:, None], C_start[:, None]
    x = x_start[:, None] + law.gain(a, C0, g, s, p)
    t = starts[:, None] + s
    M = problem.capability(x)
    grid = problem.on_grid(t)
    discount = grid.discount
    at = grid.revenue.at(M)
    npv = float(np.sum(discount * at.revenue(a) * weights))
    dR_dx = at.dM(a) * problem.dcapability_dx(x)
    value_of_state = np.sum(discount * dR_dx * weights, axis=1)
    later = np.concatenate([np.cumsum(value_of_state[::-1])[::-1][1:], [0.0]])
    own = np.sum(discount * (at.dalpha(a) + dR_dx * law.gain_dalpha(a, C0, g, s, p)) * weights, axis=1)
    return npv, own + later * law.gain_dalpha(levels, C_start, g, width, p)


def solve_direct(problem: LabProblem, pieces: int = 100, alpha0: Array | None = None,
                 tol: float = 1e-15) -> ControlResult:
    """Maximise NPV over ``pieces`` equal piecewise-constant alpha levels (L-BFGS-B, bounds [0, 1]).

    Uses the exact gradient of :func:`npv_piecewise`. The best piecewise-constant control falls short of
    the continuous optimum by O(pieces^-2), so verification compares several piece counts (see
    ``tests/test_optimal_control.py``). The lower bound is 1e-12 rather than 0 because the power law's
    marginal product of training is infinite at alpha = 0.
    """
    scale = max(abs(npv_piecewise(problem, np.full(pieces, 0.5))[0]), 1e-300)

    def objective(levels: Array) -> tuple[float, Array]:
        npv, grad = npv_piecewise(problem, levels)
        return -npv / scale, -grad / scale

    start = np.full(pieces, 0.5) if alpha0 is None else np.clip(np.asarray(alpha0, float), 0.0, 1.0)
    result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(1e-12, 1.0)] * pieces,
                      options={"ftol": tol, "gtol": 1e-14, "maxiter": 20000, "maxcor": 30})
    levels = np.clip(result.x, 0.0, 1.0)
    width = (problem.t_end - problem.t0) / pieces
    t = problem.t0 + width * np.arange(pieces + 1)
    alpha = np.append(levels, levels[-1])
    gains = problem.law.gain(levels, problem.revenue.compute(t[:-1]), problem.revenue.growth, width,
                             problem.law_params)
    x = problem.x0 + np.concatenate([[0.0], np.cumsum(gains)])
    M = problem.capability(x)
    npv, grad = npv_piecewise(problem, levels)
    projected = np.where((levels <= 1e-12) & (grad < 0) | (levels >= 1.0) & (grad > 0), 0.0, grad)
    return ControlResult(
        t=t, alpha=alpha, state=x, capability=M, costate=np.full(t.size, np.nan),
        revenue=problem.revenue.on_grid(t)(M, alpha), npv_path=np.full(t.size, np.nan), npv=npv,
        iterations=int(result.nit), change=float(np.max(np.abs(projected)) / scale),
        converged=bool(result.success), method=f"direct: L-BFGS-B over {pieces} constant pieces",
        message=str(result.message))
