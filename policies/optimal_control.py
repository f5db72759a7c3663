"""Optimal control of one lab's training share: Pontryagin's principle and a direct check.

The problem (model.md §4) is

    maximise  NPV = ∫_{t0}^{T} e^{-rho t} R(M(x), alpha, t) dt   over alpha(t) ∈ [0, 1]
    subject to dx/dt = f(alpha, C(t)),  x(t0) = x0,  C(t) = C0 e^{g (t - t0)},

where ``x`` is the law's planning state (capability for ``power``, cumulative training compute for
``chinchilla``) and ``R`` is any revenue function of (M, alpha, t) with its derivative in M (a monopoly, or a
competitive market against forecast rivals; see :mod:`policies.revenue`).

:func:`solve_pontryagin` is a forward–backward sweep. Both laws have a rate independent of ``x``, so the
state and the present-value costate ``lambda(t) = ∫_t^T e^{-rho s} dR/dx ds`` are plain integrals, computed
on the whole grid at once with cumulative Simpson quadrature (fourth order where alpha is smooth), split
where the control leaves or enters a bound and where the state crosses a kink of the law
(:func:`split_cumulative`), so that it stays fourth order wherever those fall between grid points. The
Hamiltonian ``H = e^{-rho t} R + lambda f`` is maximised pointwise, by the law's closed form when revenue
is separable (Troynikov's eq. 7 for the power law) and otherwise by a vectorised bracketing root search
(Chandrupatla's) on dH/dalpha (:func:`maximise_hamiltonian`; the older scan-and-bisect is kept as its reference,
:func:`maximise_hamiltonian_bisect`). The sweep is a damped, Anderson-accelerated fixed-point iteration
on alpha that reports its last change as the convergence measure, stops when that change stalls and
then rescues the solve (heavier damping, then the direct method) rather than running to its cap. The
damping a growing change imposes is lifted once the change has fallen well below where it grew. Each
sweep resolves the maxima of H only to a small fraction of the change it expects next (the move makes
more digits useless), and to 1% of the tolerance before it declares convergence
(:func:`_inner_tolerance`, :func:`_resolved`).

On the coarse grids that already reach a 1e-6 NPV a sweep costs per-call overhead, not arithmetic, so
it makes few calls: every interval's integral is formed on the whole grid at once and summed once, with
scalar work (on plain floats) only in the cells next to a split, the switches are looked for only
where the control enters or leaves the interior, and the closed form takes the revenue terms the
trajectory already has.

:func:`solve_direct` is the independent check: it maximises the NPV over a piecewise-constant alpha with
L-BFGS-B, integrating each piece exactly (the law's closed-form advance) and its revenue by Gauss–Legendre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple

import numpy as np
from scipy.linalg.lapack import dposv
from scipy.optimize import minimize

from labs.laws import CapabilityLaw, serving_factor
from policies import kernels
from policies.kernels import END_PROBE, ROOT_MAX_STEPS, UNIMODAL_LEVELS
from policies.revenue import MarketRevenue, RevenueAt, RevenueGrid, take_points

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

    def revenue_at(self, revenue: RevenueGrid, x: Array) -> RevenueAt:
        """``revenue`` at planning state ``x``: the capability there and, if the law has it, its serving factor."""
        return revenue.at(self.capability(x), serving_factor(self.law, x, self.law_params))

    def revenue_dx(self, at: RevenueAt, x: Array, alpha: Array) -> Array:
        """``dR/dx`` at ``at`` (from :meth:`revenue_at`): through capability and, if any, the serving factor."""
        dR_dx = at.dM(alpha) * self.dcapability_dx(x)
        if self.law.serving is None:
            return dR_dx
        return dR_dx + at.dserving(alpha) * self.law.serving(x, self.law_params)[1]

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
        self.law_params = problem.law_params

    def take(self, index: Array) -> "ProblemGrid":
        """This grid at the points ``index`` only (law parameters that vary by point included)."""
        sub = object.__new__(ProblemGrid)
        n = self.t.shape[-1] if np.ndim(self.t) else 1
        sub.problem = self.problem
        sub.t, sub.discount, sub.compute = (take_points(v, index, n) for v in (self.t, self.discount, self.compute))
        sub.revenue = self.revenue.take(index)
        sub.law_params = {k: take_points(v, index, n) for k, v in self.law_params.items()}
        return sub

    def rate(self, alpha: Array) -> Array:
        return self.problem.law.rate(alpha, self.compute, self.law_params)

    def at(self, x: Array, costate: Array, revenue: RevenueAt | None = None) -> "HamiltonianAt":
        """The Hamiltonian at state ``x`` and costate ``costate``, as a function of alpha (``revenue``: the
        revenue terms at ``x``, if the caller has them, e.g. from its trajectory)."""
        return HamiltonianAt(self, x, costate, revenue)


class HamiltonianAt:
    """``H(alpha) = e^{-rho t} R(M(x), alpha, t) + lambda rate(alpha, C)`` at a fixed state and costate."""

    def __init__(self, grid: ProblemGrid, x: Array, costate: Array, revenue: RevenueAt | None = None) -> None:
        self.grid = grid
        self.costate = costate
        self.revenue = grid.problem.revenue_at(grid.revenue, x) if revenue is None else revenue
        self.capability = self.revenue.M
        market = grid.revenue
        # The compiled slope's demand form (None: numpy's path), and its alpha-free terms once packed.
        compiled = not market.separable and grid.problem.law.rate_power is not None
        self._form = kernels.COMPILED_FORMS.get(market.market.form.name) if compiled else None
        self._terms: Array | None = None

    def take(self, index: Array) -> "HamiltonianAt":
        """This Hamiltonian at the grid points ``index`` only."""
        sub = object.__new__(HamiltonianAt)
        n = self.grid.t.shape[-1] if np.ndim(self.grid.t) else 1
        sub.grid = self.grid.take(index)
        sub.costate = take_points(np.asarray(self.costate), index, n)
        sub.revenue = self.revenue.take(index, sub.grid.revenue)
        sub.capability = sub.revenue.M
        sub._form = self._form
        sub._terms = None if self._terms is None else np.take(self._terms, index, axis=1)
        return sub

    @property
    def unimodal(self) -> bool:
        """H is known to have a single maximum over [0, 1] at every grid point, so no scan is needed.

        The demand form must declare its pool concave in one lab's own supply where positive
        (:attr:`market.demand.base.DemandForm.pool_concave_in_supply`), and where the costate counts the
        law its rate concave in alpha (:attr:`labs.laws.base.CapabilityLaw.rate_concave`; the costate is
        never negative, as more capability never lowers revenue). Then, with no rivals, H is
        ``lambda rate(alpha)`` (rising, as ``lambda >= 0``) where the pool is floored at zero and concave
        elsewhere; with no costate (one step's revenue), H is the pool times the contest share, both
        concave and positive where the lab earns, so log-concave. With rivals *and* a costate neither
        argument holds and the global scan is kept.
        """
        g = self.grid
        no_costate = not np.any(self.costate)
        concave_rate = g.problem.law.rate_concave and bool(np.all(self.costate >= 0))
        if g.revenue.separable:
            return no_costate or concave_rate
        if not g.revenue.market.form.pool_concave_in_supply:
            return False
        return no_costate or (g.revenue.alone and concave_rate)

    def value(self, alpha: Array) -> Array:
        """H at ``alpha``; compiled where :meth:`compiled_terms` can be packed (the same numbers to rounding:
        the rate is ``rate_power``'s)."""
        terms = self.compiled_terms()
        if terms is not None:
            tried, shape = _tried(alpha, terms.shape[1])
            out = np.empty(tried.shape)
            kernels.values(self._form, tried, terms, float(self.grid.revenue.market.omega), out)
            return out.reshape(shape)
        g = self.grid
        return g.discount * self.revenue.revenue(alpha) + self.costate * g.rate(alpha)

    def slope(self, alpha: Array) -> Array:
        """dH/dalpha."""
        gain, loss = self.slope_terms(alpha)
        return gain - loss

    def slope_terms(self, alpha: Array) -> tuple[Array, Array]:
        """dH/dalpha as the marginal value of training less the marginal revenue given up by serving less:
        ``(lambda drate/dalpha, -e^{-rho t} dR/dalpha)``. The first is never negative; so is the second
        wherever serving more earns more. Compiled where :meth:`compiled_terms` can be packed."""
        terms = self.compiled_terms()
        if terms is not None:
            return self._compiled_slope_terms(alpha, terms)
        g = self.grid
        p = g.problem
        drate = p.law.drate_dalpha(alpha, g.compute, g.law_params)
        with np.errstate(invalid="ignore"):
            training = self.costate * drate
        # A zero costate (the horizon) times the power law's infinite marginal product at alpha = 0 is 0.
        return np.where(self.costate == 0, 0.0, training), -(g.discount * self.revenue.dalpha(alpha))

    def compiled_terms(self) -> Array | None:
        """The alpha-free terms the compiled slope reads (:data:`policies.kernels.TERMS`, a row each), packed
        on first use; None where the slope is numpy's: separable revenue (the closed form's case), a law
        that does not declare its rate as a power of alpha (``rate_power``), a demand form without a
        compiled pool, or a term that is neither one number per grid point nor one for all."""
        if self._form is None or self._terms is not None:
            return self._terms
        g, revenue = self.grid, self.revenue
        market = g.revenue
        n = g.t.shape[-1] if np.ndim(g.t) == 1 else 0
        coefficient, exponent = g.problem.law.rate_power(g.compute, g.law_params)
        terms = (self.costate, g.discount, revenue.compute, revenue.value_per_token, market.rival_value,
                 market.rival_tokens, market.condition, revenue.rival_per_own, coefficient, exponent,
                 0.0 if market.cost is None else market.cost)
        packed = np.empty((len(terms), n))
        try:
            for row, term in zip(packed, terms):
                row[...] = term  # one number for all points, or one per point; anything else raises
        except ValueError:
            packed = None
        if not n or packed is None:
            self._form = None
            return None
        self._terms = packed
        return packed

    def _compiled_slope_terms(self, alpha: Array, terms: Array) -> tuple[Array, Array]:
        tried, shape = _tried(alpha, terms.shape[1])
        gain, loss = np.empty(tried.shape), np.empty(tried.shape)
        kernels.slope_terms(self._form, tried, terms, float(self.grid.revenue.market.omega), gain, loss)
        return gain.reshape(shape), loss.reshape(shape)

    def local_argmax(self, start: Array, half_width: Array | float, regrow: float, xtol: Array | float,
                     report: dict | None) -> Array | None:
        """:func:`maximise_hamiltonian`'s local path in one compiled call (:func:`policies.kernels.local_argmax`),
        or None where the slope is not compiled."""
        terms = self.compiled_terms()
        if terms is None:
            return None
        n = terms.shape[1]
        return self._compiled_argmax(kernels.local_argmax, report, _points(start, n), _points(half_width, n),
                                     float(regrow), _points(0.5 * np.asarray(xtol, dtype=float), n))

    def unimodal_argmax(self, xtol: Array | float, report: dict | None) -> Array | None:
        """:func:`maximise_hamiltonian`'s path for a unimodal H in one compiled call
        (:func:`policies.kernels.unimodal_argmax`), or None where the slope is not compiled."""
        terms = self.compiled_terms()
        if terms is None:
            return None
        return self._compiled_argmax(kernels.unimodal_argmax, report,
                                     _points(0.5 * np.asarray(xtol, dtype=float), terms.shape[1]))

    def _compiled_argmax(self, kernel: Callable[..., None], report: dict | None, *args: Any) -> Array:
        """Run a compiled maximiser on this Hamiltonian's terms; pass on its count of searches that hit the
        step bound (and the widest of their brackets) to ``report``."""
        out, counts = np.empty(self._terms.shape[1]), np.zeros(2)
        kernel(self._form, self._terms, float(self.grid.revenue.market.omega), *args, out, counts)
        if counts[0] and report is not None:
            report["unresolved"] = report.get("unresolved", 0) + int(counts[0])
            report["width"] = max(report.get("width", 0.0), float(counts[1]))
        return out


def _tried(alpha: Array | float, n: int) -> tuple[Array, tuple[int, ...]]:
    """The alphas at which a compiled kernel evaluates H over ``n`` grid points, as a contiguous (tries, n)
    array, and the shape its results take (``alpha``'s broadcast against the grid)."""
    alpha = np.asarray(alpha, dtype=float)
    if alpha.shape[-1:] != (n,):
        alpha = np.broadcast_to(alpha, np.broadcast_shapes(alpha.shape, (n,)))
    return np.ascontiguousarray(alpha).reshape(-1, n), alpha.shape


def _points(values: Array | float, n: int) -> Array:
    """``values`` as a contiguous float array over ``n`` grid points (one value is repeated)."""
    values = np.asarray(values, dtype=float)
    return np.ascontiguousarray(values) if values.shape == (n,) else np.full(n, values)


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


LOCAL_HALF_WIDTH = 1.0 / 64.0  # first bracket around a warm start; it grows fourfold until it brackets
LOCAL_MIN_HALF_WIDTH = 1e-12  # the tightest first bracket, for a point expected to have settled
LOCAL_REGROW = 1e-2  # a bracket that must grow reaches at least this fraction of the largest ``spread``
# either side: a point that had settled (its first bracket tiny) but whose maximum moved with the
# others would otherwise grow fourfold a dozen times, a slope evaluation each


def _rising(h: HamiltonianAt, alpha: Array) -> Array:
    """Where H increases with alpha: dH/dalpha > 0, or H is flat at zero short of alpha = 1.

    The second case is a lab priced out of a congested market with no value of training (the myopic
    argmax): the floored pool gives zero slope there, and the optimum lies towards serving less.
    The slope is taken ``END_PROBE`` inside the unit interval: at alpha = 1 a lab serves nothing and
    earns nothing, and the contest share's derivative there is not the limit from inside.
    """
    return _end_slopes(h, alpha)[0] > 0


def _signed_slope(h: HamiltonianAt, alpha: Array) -> tuple[Array, Array, Array]:
    """dH/dalpha at ``alpha``, except ``+inf`` where H is flat at zero short of alpha = 1 (see :func:`_rising`):
    its sign says where H rises, which is all a bracket needs; an infinite value also tells the root
    finder's interpolation not to trust it. Then the slope's two terms (:meth:`HamiltonianAt.slope_terms`)."""
    gain, loss = h.slope_terms(alpha)
    slope = gain - loss
    flat = slope == 0
    if flat.any():
        priced_out = flat & (h.value(alpha) <= 0) & (alpha < 1.0)
        slope = np.where(priced_out, np.inf, slope)
    return slope, gain, loss


def _bracketed_root(h: HamiltonianAt, lo: Array, hi: Array, report: dict | None = None,
                    ends: "tuple[Slopes, Slopes] | None" = None, xtol: Array | float = 0.0) -> Array:
    """The point of ``[lo, hi]`` where H turns from rising to falling (see :func:`_rising`), to rounding
    or, where ``xtol`` (per point, or one for all) is larger, to within ``xtol``.

    The caller guarantees H rises at ``lo`` and does not at ``hi``, and may pass the slopes at both, as
    :func:`_end_slopes` gives them (a point whose bracket is a single point returns it whatever they
    are there). This is Chandrupatla's bracketing scheme on all points at once, the slope evaluated by
    numpy and the bookkeeping compiled (:mod:`policies.kernels`): each step places the next point
    by inverse quadratic interpolation through the bracket's ends and the previous point when
    Chandrupatla's test says the interpolant is monotone there (it then converges superlinearly), and
    by bisection otherwise; the first step takes the secant through the ends. Where the marginal value
    of training blows up towards the low end (the power law's as alpha -> 0) the interpolation is of the
    log ratio of the slope's two terms against log alpha, which is then nearly a straight line, rather
    than of the slope, which is not; bisection is geometric while the bracket spans more than a factor
    of four. Every step keeps the new point at least the resolution away from both ends, so the
    bracket always shrinks. A point is resolved when the bracket is that
    narrow, or when a secant puts it within ``kernels.ROOT_FLAT_TOL`` of the root: closer than that the slope
    is rounding noise (its sign flickers over a band of alphas wider than the resolution), and bisecting
    the noise would only cost steps. With ``xtol`` the resolution is at least ``xtol / 2`` and a secant
    estimate within ``xtol / 2`` also resolves a point: every point returned lies within ``xtol`` of the
    root (the bracket) or is estimated to lie within half of it. A resolved point stays resolved;
    resolved points drop out once half have: the work shrinks with the points still unresolved.
    """
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    half_xtol = 0.5 * np.asarray(xtol, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ends = _both_end_slopes(h, lo, hi) if ends is None else ends
    (fa, gain_lo, loss_lo), (fb, gain_hi, loss_hi) = (tuple(_floats(v) for v in end) for end in ends)
    state = kernels.initial_state(lo, hi, fa, fb, gain_lo, gain_hi, half_xtol)
    x = np.empty(lo.size)
    unresolved = kernels.start(state, x, gain_lo, loss_lo, gain_hi, loss_hi)
    out = np.empty(lo.size)
    where = None  # the original positions of the points still being worked on, once some are dropped
    for _ in range(ROOT_MAX_STEPS):
        if not unresolved:
            break
        if 2 * unresolved <= x.size:  # drop the resolved points: the work shrinks with the points left
            done = state[kernels.DONE] != 0.0
            kept = np.flatnonzero(~done)
            answered = np.flatnonzero(done) if where is None else where[done]
            resolved = np.empty(answered.size)
            kernels.answers(np.ascontiguousarray(state[:, done]), resolved)
            out[answered] = resolved
            state, x, h = np.ascontiguousarray(state[:, kept]), x[kept], h.take(kept)
            where = kept if where is None else where[kept]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            fx, gain, loss = (_floats(v) for v in _signed_slope(h, x))
        unresolved = kernels.advance(state, x, fx, gain, loss)
    last = np.empty(x.size)
    kernels.answers(state, last)
    if where is None:
        out = last
    else:
        out[where] = last
    if unresolved and report is not None:  # the step bound was hit: say how far from resolved the worst point is
        still = state[kernels.DONE] == 0.0
        width = np.abs(state[kernels.B, still] - state[kernels.A, still])
        report["unresolved"] = report.get("unresolved", 0) + int(unresolved)
        report["width"] = max(report.get("width", 0.0), float(np.max(width)))
    return out


def _floats(values: Array) -> Array:
    """``values`` as a contiguous float array: the one layout the compiled search is built for."""
    return np.ascontiguousarray(values, dtype=float)


def maximise_hamiltonian_bisect(h: HamiltonianAt, coarse: int = 17, iterations: int = 52) -> Array:
    """The reference maximiser: a coarse scan of H, then plain bisection on the sign of dH/dalpha.

    Bisection narrows the best bracket to 2^-iterations / coarse (below 1e-16 by default); the end
    points are then compared explicitly so corner solutions are exact. It makes ``coarse + iterations +
    3`` evaluations per grid point and is kept as the independent check of :func:`maximise_hamiltonian`.
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


Slopes = tuple[Array, Array, Array]
"""dH/dalpha and its two terms at a set of points, as :func:`_signed_slope` returns them."""


def _end_slopes(h: HamiltonianAt, alpha: Array) -> Slopes:
    """:func:`_signed_slope` at a bracket end ``alpha``, taken ``END_PROBE`` inside the unit interval."""
    return _signed_slope(h, np.minimum(np.maximum(alpha, END_PROBE), 1.0 - END_PROBE))


def _both_end_slopes(h: HamiltonianAt, lo: Array, hi: Array) -> tuple[Slopes, Slopes]:
    """:func:`_end_slopes` at both ends of a set of brackets, in one evaluation of the slope (its cost is
    mostly per call, not per point)."""
    both = _end_slopes(h, np.stack([lo, hi]))
    return tuple(v[0] for v in both), tuple(v[1] for v in both)


def _update_slopes(h: HamiltonianAt, alpha: Array, moved: Array, slopes: Slopes) -> Slopes:
    """``slopes`` with the points ``moved`` re-evaluated at ``alpha``: on those points alone when they are
    few (a bracket usually grows at a handful of points), else on all and kept where moved."""
    index = np.flatnonzero(moved)
    if 2 * index.size > moved.size:
        fresh = _end_slopes(h, alpha)
        return tuple(np.where(moved, new, old) for new, old in zip(fresh, slopes))
    fresh = _end_slopes(h.take(index), alpha[index])
    out = tuple(old.copy() for old in slopes)
    for target, new in zip(out, fresh):
        target[index] = new
    return out


def _local_bracket(h: HamiltonianAt, start: Array, half_width: Array | float = LOCAL_HALF_WIDTH,
                   regrow: float = 0.0) -> tuple[Array, Array, Array, Array, tuple[Slopes, Slopes]]:
    """A bracket around ``start`` holding the nearest turn of H from rising to falling, with the slopes
    at its ends (which the root search then need not evaluate again).

    It starts ``half_width`` (per point, or one for all) either side and grows fourfold, and at least
    to ``regrow``, (on the failing side only) until H rises at its low end and falls at its high end,
    or it reaches 0 or 1.
    """
    centre = np.minimum(np.maximum(np.asarray(start, dtype=float), 0.0), 1.0)
    half = half_width
    lo, hi = np.maximum(centre - half, 0.0), np.minimum(centre + half, 1.0)
    at_lo, at_hi = _both_end_slopes(h, lo, hi)
    while True:
        up_lo, up_hi = at_lo[0] > 0, at_hi[0] > 0
        left = ~up_lo & (lo > 0.0)  # H already falls at lo: the maximum lies below it
        right = up_hi & (hi < 1.0) & ~left  # H still rises at hi: the maximum lies above it
        if not (left.any() or right.any()):
            return lo, hi, up_lo, up_hi, (at_lo, at_hi)
        half = np.maximum(half * 4.0, regrow)
        # The end that failed becomes the other side of the new bracket, which it bounds correctly.
        hi, at_hi = np.where(left, lo, hi), tuple(np.where(left, v_lo, v_hi) for v_lo, v_hi in zip(at_lo, at_hi))
        lo, at_lo = np.where(right, hi, lo), tuple(np.where(right, v_hi, v_lo) for v_lo, v_hi in zip(at_lo, at_hi))
        lo = np.where(left, np.maximum(centre - half, 0.0), lo)
        hi = np.where(right, np.minimum(centre + half, 1.0), hi)
        if left.any():
            at_lo = _update_slopes(h, lo, left, at_lo)
        if right.any():
            at_hi = _update_slopes(h, hi, right, at_hi)


def _scan_bracket(h: HamiltonianAt) -> tuple[Array, Array, Array, Array]:
    """For a unimodal H: the pair of neighbouring ``UNIMODAL_LEVELS`` where H turns from rising to
    falling (or the end where it never does)."""
    levels = UNIMODAL_LEVELS[:, None]
    rising = _rising(h, levels + np.zeros(np.shape(h.costate)))
    turns = np.argmin(rising, axis=0)  # first level where H does not rise; 0 if it falls at once
    always = rising.all(axis=0)
    turns = np.where(always, levels.size - 1, turns)
    lo = UNIMODAL_LEVELS[np.maximum(turns - 1, 0)]
    hi = UNIMODAL_LEVELS[turns]
    return lo, hi, turns > 0, always


def _finish(h: HamiltonianAt, lo: Array, hi: Array, up_lo: Array, up_hi: Array,
            ends: tuple[Slopes, Slopes] | None = None, report: dict | None = None,
            xtol: Array | float = 0.0) -> Array:
    """The argmax in each bracket: an end where H does not rise into it (or keeps rising out of it),
    else the bracketed root of dH/dalpha (given the slopes at the ends, if known)."""
    inner = up_lo & ~up_hi
    out = np.where(up_hi, hi, lo)
    if inner.any():
        out = np.where(inner, _bracketed_root(h, np.where(inner, lo, out), np.where(inner, hi, out), report,
                                              ends, xtol), out)
    return out


def maximise_hamiltonian(h: HamiltonianAt, coarse: int = 17, start: Array | None = None,
                         report: dict | None = None, spread: Array | None = None,
                         xtol: Array | float = 0.0) -> Array:
    """Pointwise argmax of H over alpha ∈ [0, 1], vectorised over the grid.

    Every path ends in :func:`_bracketed_root`, a bracketing root search on dH/dalpha that resolves
    alpha to rounding where comparing values of H cannot (near its maximum H is flat to rounding
    over about 1e-8 in alpha). The paths differ in how they bracket:

    * ``start`` given (a warm start, e.g. the sweep's current control): a local bracket around it
      (:func:`_local_bracket`), twice ``spread`` wide where given (how far the maximum is expected to
      lie from the start: the sweep passes its last change of alpha, so that near convergence the
      bracket is already tight and the root search needs a step or two, not a dozen). That finds the
      maximum nearest the start, which is the maximum when H is unimodal; where it may not be, the sweep
      confirms its converged control with the global path.
    * H known to be unimodal (:attr:`HamiltonianAt.unimodal`): the slope's sign on a fixed set of levels.
    * otherwise the global path: a scan of H on ``coarse`` levels picks the best bracket (guarding
      against a non-concave H), the root is found inside it, and the result is compared with both
      corners so that corner solutions are exact, as in :func:`maximise_hamiltonian_bisect`.

    Where H's slope is compiled (:meth:`HamiltonianAt.compiled_terms`) the local and unimodal paths run
    whole in compiled code, each point on its own (:func:`policies.kernels.local_argmax`,
    :func:`policies.kernels.unimodal_argmax`), with the same brackets and the same search steps.

    ``xtol`` (per point, or one for all) is how closely an interior maximum must be resolved (see
    :func:`_bracketed_root`); 0 resolves it to rounding.

    ``report``, if given, receives ``unresolved`` (points whose bracket hit the step bound; it never
    happens in practice, but a caller that must say whether it converged can check) and ``width``.
    """
    if start is not None:
        half = (LOCAL_HALF_WIDTH if spread is None
                else np.minimum(np.maximum(2.0 * spread, LOCAL_MIN_HALF_WIDTH), LOCAL_HALF_WIDTH))
        regrow = 0.0 if spread is None else LOCAL_REGROW * float(np.max(spread))
        compiled = h.local_argmax(start, half, regrow, xtol, report)
        if compiled is not None:
            return compiled
        return _finish(h, *_local_bracket(h, start, half, regrow), report=report, xtol=xtol)
    if h.unimodal:
        compiled = h.unimodal_argmax(xtol, report)
        if compiled is not None:
            return compiled
        return _finish(h, *_scan_bracket(h), report=report, xtol=xtol)
    levels = np.linspace(0.0, 1.0, coarse)[:, None]
    scan = h.value(levels)
    best = np.argmax(scan, axis=0)
    lo = levels[np.maximum(best - 1, 0), 0]
    hi = levels[np.minimum(best + 1, coarse - 1), 0]
    ends = _both_end_slopes(h, lo, hi)
    root = _finish(h, lo, hi, ends[0][0] > 0, ends[1][0] > 0, ends, report=report, xtol=xtol)
    values = np.stack([h.value(root), scan[0], scan[-1]])
    candidates = np.stack([root, np.zeros_like(root), np.ones_like(root)])
    return candidates[np.argmax(values, axis=0), np.arange(root.size)]


def _globally_checked(h: HamiltonianAt, target: Array, coarse: int = 17) -> Array:
    """``target`` (local maxima of H) where the global path of :func:`maximise_hamiltonian` would find
    the same maximum, and that path's answer elsewhere.

    The global path scans H on ``coarse`` levels, refines the best one's bracket and compares the result
    with both corners. Where the best level lies within a level's spacing of ``target`` and neither
    corner beats H there, it brackets ``target``'s own maximum and keeps it; only the other points (a
    handful, usually none) need the full search, which is most of a sweep's cost when run on all.
    """
    levels = np.linspace(0.0, 1.0, coarse)
    scan = h.value(levels[:, None])
    here = h.value(target)
    best = levels[np.argmax(scan, axis=0)]
    elsewhere = (np.abs(best - target) > levels[1]) | (scan[0] > here) | (scan[-1] > here)
    if not elsewhere.any():
        return target
    index = np.flatnonzero(elsewhere)
    out = target.copy()
    out[index] = maximise_hamiltonian(h.take(index), coarse)
    return out


def closed_form_alpha(h: HamiltonianAt) -> Array:
    """The law's closed-form maximiser for separable revenue ``omega M^gamma (1 - alpha) C``.

    One unit of serving compute earns ``e^{-rho t} omega M^gamma`` there, which is all the law needs.
    """
    return _closed_form_target(h.grid, h.revenue, h.costate)


def _closed_form_target(grid: ProblemGrid, revenue: RevenueAt, costate: Array) -> Array:
    """:func:`closed_form_alpha` from the revenue terms at the state and the costate, which the sweep
    already has from its trajectory (:func:`_path`)."""
    p = grid.problem
    serving_value = p.revenue.market.omega * revenue.serving * grid.discount * revenue.value_per_token
    return p.law.separable_argmax(serving_value, costate, grid.compute, p.law_params)


class _Path(NamedTuple):
    """What one pass of the sweep integrates for a control: the state, the revenue terms there (from
    which the closed-form maximiser and the NPV follow), the costate and the control's switches."""

    x: Array
    revenue: RevenueAt
    costate: Array
    switches: list["Split"]


def _path(grid: ProblemGrid, alpha: Array, h: float) -> _Path:
    """State and costate on the grid for a given alpha, by cumulative quadrature split at the control's
    switches on and off a bound (:func:`control_switches`) and, for the costate, where the state crosses
    a kink of the law (:func:`_kink_splits`)."""
    problem = grid.problem
    switches = control_switches(alpha, h)
    rate = grid.rate(alpha)
    x = problem.x0 + split_cumulative(rate, h, switches)
    at = problem.revenue_at(grid.revenue, x)
    integrand = grid.discount * problem.revenue_dx(at, x, alpha)
    kinks = _kink_splits(grid, x, rate, h)
    splits = _merged(switches, kinks) if kinks else switches
    return _Path(x, at, split_cumulative(integrand, h, splits, reverse=True), switches)


def planned_state(grid: ProblemGrid, alpha: Array, h: float) -> Array:
    """The planning state a lab following ``alpha`` (values on ``grid``, spacing ``h``) reaches: the state
    :func:`solve_pontryagin` integrates, so any plan evaluated with it matches the solver's numbers."""
    return grid.problem.x0 + split_cumulative(grid.rate(alpha), h, control_switches(alpha, h))


def planned_npv_path(grid: ProblemGrid, alpha: Array, discounted: Array, h: float) -> Array:
    """The NPV accumulated up to each grid time from the discounted revenue ``discounted`` of a lab
    following ``alpha``, integrated as :func:`solve_pontryagin` integrates it (split at the control's
    switches on and off a bound, where the revenue has a kink)."""
    return split_cumulative(discounted, h, control_switches(alpha, h))


BOUND_TOL = 1e-12  # a control this close to 0 or 1 is on the bound
Split = tuple[int, float, int]
"""Where an integrand is not smooth between grid points: ``(cell, s, anchor)``, ``s`` into the cell from
``t_cell`` to ``t_{cell + 1}``. ``anchor`` is 0 where the integrand's value jumps (a kink of the law);
where only its slope does (the control switching on or off a bound), -1 or 1 names the side (left or
right) on the bound, whose integrand, free of the curving control, extrapolates reliably to the split."""


def control_switches(alpha: Array, h: float) -> list[Split]:
    """Where the control leaves or enters a bound (0 or 1) between grid points, as :data:`Split` values
    in time order.

    Where alpha leaves a bound for the interior (or comes back) it is continuous but kinked (the
    maximiser of H is clipped to the bound), so the state, costate and revenue integrands are kinked too,
    and quadrature across the cell is only second order with an error that depends on where the switch
    falls. Such a switch is a cell between a run of at least two points on the bound and a run of at
    least two interior points; its time is where the quadratic through the (up to three) nearest
    interior values, the smooth unclipped maximiser, reaches the bound. A point touching a bound alone
    (alpha = 0 at the horizon, where the costate vanishes) is no arc and no switch, nor is a jump (a
    bang-bang switch between the bounds, or from a bound to an interior level, whose extrapolated
    crossing lies outside the cell): where the jump falls is decided by values of H, not by the control
    on the grid, and the sweep resolves it to the grid instead (see :func:`_only_a_switch_band`).

    The cells between an interior point and one that is not are found on the whole grid at once; only
    those few are examined, on plain floats from a window of six points around each.
    """
    n = alpha.size
    interior = (alpha > BOUND_TOL) & (alpha < 1.0 - BOUND_TOL)
    out: list[Split] = []
    for cell in (interior[:-1] != interior[1:]).nonzero()[0].tolist():
        first = max(0, cell - 2)
        window = alpha[first:cell + 4].tolist()  # the points cell - 2 to cell + 3 (those on the grid)
        forward = not BOUND_TOL < window[cell - first] < 1.0 - BOUND_TOL  # the bound is on the left
        edge = window[cell - first] if forward else window[cell + 1 - first]  # the point that is not interior
        bound = 0.0 if abs(edge) <= BOUND_TOL else 1.0 if abs(edge - 1.0) <= BOUND_TOL else None
        if bound is None:
            continue
        bound_side = (cell, cell - 1) if forward else (cell + 1, cell + 2)
        if not all(0 <= i < n and abs(window[i - first] - bound) <= BOUND_TOL for i in bound_side):
            continue
        side = range(cell + 1, min(n, cell + 4)) if forward else range(cell, max(-1, cell - 3), -1)
        gap = []  # the leading interior points on that side, as distances from the bound
        for i in side:
            a = window[i - first]
            if not BOUND_TOL < a < 1.0 - BOUND_TOL:
                break
            gap.append(a - bound)
        if len(gap) < 2:
            continue
        u = _bound_crossing(gap)
        if u is not None:
            out.append((cell, h * (1.0 + u), -1) if forward else (cell, -h * u, 1))
    return out


def _bound_crossing(gap: list[float]) -> float | None:
    """Where the polynomial through ``gap`` (the interior values' distance above a bound, at ``u = 0, 1,
    2`` steps away from the switch cell) vanishes in ``-1 <= u <= 0``; ``None`` if it does not."""
    d1 = gap[1] - gap[0]
    if d1 == 0:
        return None
    u = -gap[0] / d1  # the linear estimate, refined on the quadratic by Newton
    if len(gap) == 3:
        d2 = gap[2] - 2.0 * gap[1] + gap[0]
        for _ in range(3):
            slope = d1 + d2 * (u - 0.5)
            if slope == 0:
                break
            u -= (gap[0] + d1 * u + 0.5 * d2 * u * (u - 1.0)) / slope
    return u if -1.0 <= u <= 0.0 else None


def _kink_splits(grid: ProblemGrid, x: Array, rate: Array, h: float) -> list[Split]:
    """Where the state crosses a kink of the law (:attr:`labs.laws.base.CapabilityLaw.kinks`), at which
    the costate's integrand jumps: ``(cell, s)`` pairs as in :func:`control_switches`. The crossing time
    is found on the cubic Hermite interpolant of the state (its rate is known at the nodes)."""
    law = grid.problem.law
    if law.kinks is None:
        return []
    return [(cell, _crossing(x[cell], x[cell + 1], rate[cell], rate[cell + 1], h, kink), 0)
            for cell, kink in _kink_cells(x, law.kinks(grid.problem.law_params))]


def _merged(*splits: list[Split]) -> list[Split]:
    """Split points of several kinds in time order, one per cell (the first kept)."""
    out: dict[int, Split] = {}
    for split in sorted(s for kind in splits for s in kind):
        out.setdefault(split[0], split)
    return sorted(out.values())


def split_cumulative(values: Array, h: float, splits: list[Split], reverse: bool = False) -> Array:
    """``∫_{t_0}^{t_j}`` (``reverse``: ``∫_{t_j}^{t_end}``) of grid values on spacing ``h`` whose function is
    smooth except at the ``splits`` (see :data:`Split`), where its value or its slope jumps.

    Each smooth piece between splits is integrated on its own and a cell holding a split as two parts,
    each from the quadratic through the nearest (up to three) grid values on its own side. Where the
    control switches on or off a bound the function is continuous: the bound side's value at the split
    then anchors the other side's interpolant (a cubic through it and three grid values) over the split
    cell and that side's first cell, and the pieces use the cubic rule of :func:`_fill_piece`, whose
    error does not depend on the parity of a piece's length. Both matter: the control's curvature is
    largest right after it leaves the bound, and with one-sided rules there and parity-dependent pieces
    the error jumped by a factor of ten between neighbouring grids as the switch moved between grid
    points. Kinks of the law alone keep cumulative Simpson on the pieces.

    Every interval's integral is formed first (:func:`_split_intervals`) and summed once, so the cost is
    a few whole-grid operations plus a little scalar work per split, not a pass per piece.
    """
    if reverse:
        last = values.size - 2
        flipped = [(last - c, h - s, -side) for c, s, side in reversed(splits)]
        return split_cumulative(values[::-1], h, flipped)[::-1]
    out = np.empty(values.size)
    out[0] = 0.0
    _split_intervals(values, h, splits).cumsum(out=out[1:])
    return out


def _split_intervals(values: Array, h: float, splits: list[Split]) -> Array:
    """The integral over each grid interval (``values.size - 1`` of them) as :func:`split_cumulative`
    forms them: each piece by its rule, each split cell in two parts, and the cell next to a control
    switch blended with the anchored interpolant (see there)."""
    if not splits:
        return _simpson_intervals(values, h)
    n = values.size
    cubic = any(split[2] for split in splits)
    parts = np.empty(n - 1)
    if cubic and n >= 4:  # the cubic rule's interior formula everywhere; piece ends are overwritten below
        np.multiply(np.correlate(values, CUBIC_INTERIOR, "valid"), h / 24.0, out=parts[1:-1])
    start = 0
    carried: tuple[float, float] | None = None  # a corrected first interval for the next piece (weight, value)
    for k, (cell, s, anchor_side) in enumerate(splits):
        end = splits[k + 1][0] if k + 1 < len(splits) else n - 1  # the next piece's last node
        _fill_piece(parts, values, start, cell, h, cubic)
        if carried is not None and cell > start:
            parts[start] += carried[0] * (carried[1] - parts[start])
        left = values[max(start, cell - 3):cell + 1][::-1].tolist()  # nearest first, stepping back from t_cell
        right = values[cell + 1:min(end, cell + 4) + 1].tolist()  # nearest first, from t_{cell + 1}
        u_left, u_right = -s / h, s / h - 1.0  # the split, in steps away from each side's nearest node
        carried = None
        if anchor_side and len(left) >= 2 and len(right) >= 2:
            # Both sides meet at the split. Its value, extrapolated from the side on the bound, anchors the
            # other side's interpolant, which then interpolates rather than extrapolates, over the split
            # cell and (blended in as the split moves away from that side's nearest node) its first cell.
            bound, u_bound, free, u_free = ((left, u_left, right, u_right) if anchor_side < 0
                                            else (right, u_right, left, u_left))
            anchor = _polynomial(bound[:3], u_bound)
            in_cell, first = _anchored_integrals(free, u_free, anchor, h)
            across = _one_sided_integral(bound[:3], u_bound, 0.0, h) + in_cell
            weight = min(1.0, -2.0 * u_free)
            if weight > 0:
                if anchor_side < 0:
                    carried = (weight, first)
                elif cell - start >= 2 or (cell - start == 1 and k == 0):
                    parts[cell - 1] += weight * (first - parts[cell - 1])
        else:
            across = _one_sided_integral(left[:3], u_left, 0.0, h) + _one_sided_integral(right[:3], u_right, 0.0, h)
        parts[cell] = across
        start = cell + 1
    _fill_piece(parts, values, start, n - 1, h, cubic)
    if carried is not None and n - 1 > start:
        parts[start] += carried[0] * (carried[1] - parts[start])
    return parts


def _polynomial(values: list[float], u: float) -> float:
    """The polynomial through ``values`` at ``u = 0, 1, 2`` (one, two or three of them) evaluated at ``u``."""
    y0 = values[0]
    d1 = values[1] - y0 if len(values) > 1 else 0.0
    d2 = values[2] - 2.0 * values[1] + y0 if len(values) > 2 else 0.0
    return y0 + d1 * u + 0.5 * d2 * u * (u - 1.0)


OMEGA_INTEGRALS = {2: -1.0 / 6.0, 3: 0.25, 4: -19.0 / 30.0}
"""``∫_0^1 s (s - 1) ... (s - m + 1) ds`` for ``m`` grid nodes (see :func:`_anchored_integrals`)."""


def _anchored_integrals(values: list[float], u: float, anchor: float, h: float) -> tuple[float, float]:
    """``h ∫`` over the split's part of its cell (``u <= s <= 0``) and over the next cell (``0 <= s <= 1``)
    of the polynomial through ``anchor`` at ``u`` (``-1 <= u <= 0``, the split) and the ``values`` (two to
    four) at ``s = 0, 1, ...``.

    That polynomial is ``q(s) + (anchor - q(u)) w(s) / w(u)``, with ``q`` the polynomial through the values
    (in Newton form on forward differences) and ``w(s) = s (s - 1) ... (s - m + 1)`` vanishing on the
    ``m`` nodes, and both parts integrate in closed form. Plain floats: the handful of nodes makes numpy's
    per-call overhead the whole cost."""
    m = len(values)
    y0, y1 = values[0], values[1]
    d1 = y1 - y0
    d2 = values[2] - 2.0 * y1 + y0 if m > 2 else 0.0
    d3 = values[3] - 3.0 * values[2] + 3.0 * y1 - y0 if m > 3 else 0.0
    # ∫_0^s q for q(s) = y0 + d1 s + d2 s (s - 1) / 2 + d3 s (s - 1) (s - 2) / 6
    in_cell = -u * (y0 + u * (0.5 * d1 + d2 * (u / 6.0 - 0.25) + d3 * (u * u / 24.0 - u / 6.0 + 1.0 / 6.0)))
    first = y0 + 0.5 * d1 - d2 / 12.0 + d3 / 24.0
    if u < -1e-9:  # a split on the node adds nothing to the node itself
        q_u = y0 + u * (d1 + (u - 1.0) * (0.5 * d2 + d3 * (u - 2.0) / 6.0))
        w_u, w_integral = u * (u - 1.0), u * u * (u / 3.0 - 0.5)  # w and ∫_0^u w for two nodes
        if m == 3:
            w_u, w_integral = w_u * (u - 2.0), u * u * (u * u / 4.0 - u + 1.0)
        elif m == 4:
            w_u, w_integral = w_u * (u - 2.0) * (u - 3.0), u * u * (u * (u * (u / 5.0 - 1.5) + 11.0 / 3.0) - 3.0)
        scale = (anchor - q_u) / w_u
        in_cell -= scale * w_integral
        first += scale * OMEGA_INTEGRALS[m]
    return h * in_cell, h * first


def _fill_piece(parts: Array, values: Array, first: int, last: int, h: float, cubic: bool) -> None:
    """The integrals over the intervals from node ``first`` to node ``last`` into ``parts``: with ``cubic``
    and four nodes or more, each interval by the cubic through its four nearest values (one-sided at the
    ends; the interior formula is already in ``parts``), else Simpson on three or more, the trapezoid on
    two, nothing on one.

    Every interval's cubic rule is fifth-order locally, so the cumulative error is smooth in ``t`` and in
    the grid: unlike cumulative Simpson, whose odd intervals are only fourth-order locally and cancel in
    pairs, it does not depend on the parity of the interval count, which made the NPV's error jump
    between neighbouring grids.
    """
    nodes = last - first + 1
    if nodes >= 4 and cubic:
        f0, f1, f2, f3 = values[first:first + 4].tolist()
        g0, g1, g2, g3 = values[last - 3:last + 1].tolist()
        parts[first] = (9.0 * f0 + 19.0 * f1 - 5.0 * f2 + f3) * (h / 24.0)
        parts[last - 1] = (g0 - 5.0 * g1 + 19.0 * g2 + 9.0 * g3) * (h / 24.0)
    elif nodes >= 2:
        parts[first:last] = _simpson_intervals(values[first:last + 1], h)


def _simpson_intervals(values: Array, h: float) -> Array:
    """Each interval's integral under cumulative Simpson (as ``scipy.integrate.cumulative_simpson`` forms
    them on equal steps): the quadratic through an interval and the next node for the first, third, ...
    intervals, through the previous node and the interval for the others and for the last; the trapezoid
    on two nodes."""
    n = values.size
    if n < 3:
        return 0.5 * h * (values[:-1] + values[1:])
    parts = np.empty(n - 1)
    parts[:-1:2] = np.correlate(values, SIMPSON_FIRST, "valid")[::2]
    backward = np.correlate(values, SIMPSON_SECOND, "valid")
    parts[1::2] = backward[::2]
    parts[-1] = backward[-1]
    parts *= h / 12.0
    return parts


CUBIC_INTERIOR = np.array([-1.0, 13.0, 13.0, -1.0])  # 24/h times an interval's integral from its cubic
SIMPSON_FIRST = np.array([5.0, 8.0, -1.0])  # 12/h times the first interval's integral from a quadratic
SIMPSON_SECOND = SIMPSON_FIRST[::-1].copy()  # ... and the second interval's


def _one_sided_integral(values: list[float], a: float, b: float, h: float) -> float:
    """``h ∫_a^b p(u) du`` for the polynomial ``p`` through ``values`` at ``u = 0, 1, 2`` (one, two or three
    of them; ``u`` counts steps away from the split cell, so the cell is ``-1 <= u <= 0``)."""
    if not values:
        return 0.0
    y0 = values[0]
    d1 = values[1] - y0 if len(values) > 1 else 0.0
    d2 = values[2] - 2.0 * values[1] + y0 if len(values) > 2 else 0.0
    squares, cubes = b * b - a * a, b ** 3 - a ** 3  # the antiderivative y0 u + d1 u^2 / 2 + d2 (u^3 / 3 - u^2 / 2) / 2
    return h * ((b - a) * y0 + 0.5 * d1 * squares + 0.5 * d2 * (cubes / 3.0 - 0.5 * squares))


def _kink_cells(x: Array, kinks: Array) -> list[tuple[int, float]]:
    """The grid cells ``i`` (from ``t_i`` to ``t_{i+1}``) in which the nondecreasing state crosses a
    kink, with the kink, in time order; a crossing at a grid point needs no split."""
    out = []
    for kink in np.sort(np.asarray(kinks, dtype=float)):
        cell = int(np.searchsorted(x, kink, side="left")) - 1  # x[cell] < kink <= x[cell + 1]
        if 0 <= cell < x.size - 1 and x[cell + 1] > kink and all(c != cell for c, _ in out):
            out.append((cell, float(kink)))
    return out


def _crossing(x0: float, x1: float, r0: float, r1: float, h: float, kink: float) -> float:
    """Time within a cell (0 to ``h``) where the cubic Hermite interpolant of the state (values ``x0``,
    ``x1``, rates ``r0``, ``r1``) reaches ``kink``: Newton from the linear estimate, kept inside the cell."""
    s = h * (kink - x0) / (x1 - x0)
    for _ in range(4):
        u = s / h
        h00, h10, h01, h11 = (2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2)
        value = h00 * x0 + h10 * h * r0 + h01 * x1 + h11 * h * r1 - kink
        slope = ((6 * u**2 - 6 * u) * x0 + (3 * u**2 - 4 * u + 1) * h * r0 + (6 * u - 6 * u**2) * x1
                 + (3 * u**2 - 2 * u) * h * r1) / h
        if not slope > 0:
            break
        s = min(max(s - value / slope, 0.0), h)
    return s


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
    past_residual = np.array(residuals)
    d_residual = past_residual[1:] - past_residual[:-1]
    # Normal equations of the small least-squares problem (memory x memory), lightly regularised: far
    # cheaper than a factorisation of the tall (grid x memory) matrix and accurate enough for a step.
    gram = d_residual @ d_residual.T
    gram.flat[::gram.shape[0] + 1] += 1e-12 * gram.trace() + 1e-300
    rhs = d_residual @ residual
    _, weights, failed = dposv(gram, rhs)  # Cholesky: the regularised Gram matrix is positive definite
    if failed:  # not numerically (a degenerate history): LU, which says so if it is singular
        weights = np.linalg.solve(gram, rhs)
    damped = np.array(steps) + theta * past_residual  # the damped steps from each past iterate
    step = damped[-1] - weights @ (damped[1:] - damped[:-1])
    return np.minimum(np.maximum(step, 0.0, out=step), 1.0, out=step)


JUMP = 1e-3  # a change of a point's target between sweeps this large is a jump between maxima of H ...
JUMP_WINDOW = 8  # ... and three of them over this many sweeps mean the local maximiser is bouncing
SWITCH_BAND = 16  # grid points: the widest band of bouncing points taken for a switch between them
STALL_WINDOW = 40  # sweeps over which the best residual must at least halve, or the sweep has stalled
ANDERSON_MEMORY = {"closed_form": 5, "numerical": 3}
"""Anderson's default memory by maximiser. The closed form's fixed-point map is smooth and a long history
fits it well; the numerical maximiser's (congested markets) moves by discrete events (a point of the
control jumping between maxima of H, a switch moving by a cell) that make older differences stale, and
a short history extrapolates better there."""
UNDAMP_FALL = 1e-2  # once the change is this fraction of what it was when it last grew, damping is lifted


@dataclass
class _Sweep:
    """Where a run of the damped sweep ended: its control, last residual and why it stopped."""

    alpha: Array
    change: float
    iterations: int
    switch_cells: int
    status: str  # "converged", "stalled" or "cap"
    best_alpha: Array
    best_change: float
    resolution: float = 0.0  # how closely the maxima of H a converged verdict was taken on were resolved


def _sweep(grid: ProblemGrid, alpha: Array, h: float, tol: float, max_iter: int, damping: float,
           memory: int, argmax: str) -> _Sweep:
    """The damped, Anderson-accelerated fixed-point iteration on alpha, stopping early when it stalls.

    With the numerical maximiser each sweep maximises H locally from the current control (the cheap
    path of :func:`maximise_hamiltonian`); where H may have several maxima, a control that has
    converged is re-checked with the global path, and the iteration goes on globally if that moves it.
    The local maxima are resolved to :func:`_inner_tolerance` of the change expected, and to
    ``VERDICT_FRACTION * tol`` before the verdict (:func:`_resolved`).
    Stalled means the best residual has not halved over ``STALL_WINDOW`` sweeps.

    A change that grows shrinks the step ``theta`` and clears Anderson's history (the usual cause is a
    point of the control jumping between maxima of H, or a switch moving by a cell, which the
    history's linear model does not know); once the change has fallen by ``UNDAMP_FALL`` from where it
    grew, the cause has passed and ``theta`` is back to ``damping``, so a single bump does not slow
    every later sweep.
    """
    theta, previous, change, iterations = damping, np.inf, np.inf, 0
    grew_at = np.inf  # the change when it last grew (or at the start)
    switch_cells = 0
    last_target: Array | None = None
    steps: list[Array] = []
    residuals: list[Array] = []
    best_alpha, best_change = alpha, np.inf
    history: list[float] = []
    global_search = False
    jumps: list[Array] = []
    spread: Array | None = None
    ratio = 1.0  # the last change over the one before it: how fast the iteration is converging
    frozen: Array | None = None  # switch points held at their maximum (see below)
    status = "cap"
    for iterations in range(1, max_iter + 1):
        path = _path(grid, alpha, h)
        if argmax == "closed_form":
            target = _closed_form_target(grid, path.revenue, path.costate)
        else:
            hamiltonian = grid.at(path.x, path.costate, path.revenue)
            # The global path's answers are not all roots of dH/dalpha (it compares H's values), so it
            # resolves to the verdict's accuracy throughout.
            xtol = _inner_tolerance(None if global_search else spread, ratio, tol)
            if global_search:
                target = maximise_hamiltonian(hamiltonian, xtol=xtol)
            else:
                target = maximise_hamiltonian(hamiltonian, start=alpha, spread=spread, xtol=xtol)
            if frozen is not None:
                target, xtol = np.where(frozen, alpha, target), np.where(frozen, 0.0, xtol)
            resolution = np.where((target > 0.0) & (target < 1.0), xtol, 0.0)  # a maximum on a bound is exact
            loose = np.abs(target - alpha)
            if _settles(loose - resolution, tol, target, last_target) or _settles(loose, tol, target, last_target):
                # It may have converged (the second test: a switch band may hold other points than the
                # first's): the targets resolved loosely are resolved to the verdict's accuracy first.
                target, resolution = _resolved(hamiltonian, target, resolution, VERDICT_FRACTION * tol)
        residual = target - alpha
        size = np.abs(residual)
        unsettled = size >= tol
        settled = _settles(size, tol, target, last_target)
        if settled and argmax != "closed_form" and not global_search and not hamiltonian.unimodal:
            # The local maximiser found the maximum nearest the control; confirm it is the global one.
            global_target = _globally_checked(hamiltonian, target)
            if np.max(np.abs(global_target - target)) >= tol:
                global_search, settled = True, False
                target, residual = global_target, global_target - alpha
                size = np.abs(residual)
                unsettled = size >= tol
        if settled:
            change = float(np.max(np.abs(residual[~unsettled]), initial=0.0))
            if not unsettled.any():
                alpha = target
            else:
                switch_cells = int(np.count_nonzero(unsettled))
            switch_cells += 0 if frozen is None else int(np.count_nonzero(frozen))
            status = "converged"
            break
        freeze = None
        if last_target is not None and argmax != "closed_form" and not hamiltonian.unimodal:
            jumps.append(np.abs(target - last_target) > JUMP)
            del jumps[:-JUMP_WINDOW]
            bouncing = np.sum(jumps, axis=0) >= 3 if len(jumps) == JUMP_WINDOW else None
            if bouncing is not None and bouncing.any() and not global_search:
                # A point whose nearest maximum keeps jumping sits where the control jumps between two
                # maxima of H: the local path cannot say which is higher, the global one can.
                global_search = True
                steps.clear()
                residuals.clear()
                jumps.clear()
            elif bouncing is not None and bouncing.any() and np.ptp(np.flatnonzero(bouncing)) < SWITCH_BAND:
                # Even the global maximum keeps jumping there: the switch falls between grid points and
                # the point has no maximiser consistent with its own effect on the costate. It keeps the
                # maximum it has now, and the rest of the control converges around it (the result
                # counts it among the switch cells).
                freeze = bouncing
                frozen = bouncing if frozen is None else frozen | bouncing
                steps.clear()
                residuals.clear()
                jumps.clear()
        last_target = target
        change = float(size.max())
        if change < best_change:
            best_alpha, best_change = alpha, change
        history.append(best_change)
        if len(history) > STALL_WINDOW and history[-1] > 0.5 * history[-1 - STALL_WINDOW]:
            status = "stalled"
            break
        if change > previous:
            theta = max(0.05, 0.7 * theta)
            steps.clear()
            residuals.clear()
        if change > previous or iterations == 1:
            grew_at = change
        elif change < UNDAMP_FALL * grew_at:
            theta = damping
        ratio = min(1.0, change / previous)  # 0 after the first sweep: the second resolves fully
        previous = change
        steps.append(alpha)
        residuals.append(residual)
        alpha = _anderson(steps, residuals, theta, memory)
        if freeze is not None:
            alpha = np.where(freeze, target, alpha)
        spread = size  # how far the next maximum is expected to lie from the next control
    verdict = float(np.max(resolution)) if status == "converged" and argmax != "closed_form" else 0.0
    return _Sweep(alpha, change, iterations, switch_cells, status, best_alpha, best_change, verdict)


def solve_pontryagin(problem: LabProblem, intervals: int = 2000, alpha0: Array | None = None,
                     tol: float = 1e-10, max_iter: int = 2000, damping: float = 1.0,
                     argmax: str = "auto", memory: int | None = None, rescue: bool = True) -> ControlResult:
    """Forward–backward sweep for ``problem`` on a uniform grid of ``intervals`` steps.

    ``alpha0`` (values on the grid) warm-starts the sweep; ``argmax`` is ``"closed_form"``,
    ``"numerical"`` or ``"auto"`` (closed form where it applies). Converged means the largest change of
    alpha in an iteration fell below ``tol``, except possibly in a narrow band of grid points holding a
    switch of the control between two maxima of H (a bang-bang switch, or a jump from a corner to an
    interior maximum), whose number is in the message and ``extra["switch_cells"]``. The damping factor
    shrinks automatically when the change grows, which is what keeps the sweep stable for strongly convex
    revenue. ``memory`` past iterates Anderson-accelerate the damped iteration (0: damping alone; by
    default ``ANDERSON_MEMORY`` for the maximiser used).

    A sweep whose residual stops falling (see :func:`_sweep`) is not run on to ``max_iter``: with
    ``rescue`` it restarts from its best iterate with heavy damping and no acceleration, and if that
    stalls too the problem goes to :func:`solve_direct`, warm-started from the best iterate, whose
    control is then reported on this grid (``extra["rescue"]`` says which rescue ran). The result's
    ``converged`` is honest either way: a control that still is not a fixed point says so.
    """
    if intervals < 2:
        raise ValueError(f"intervals must be >= 2, got {intervals}")
    t = np.linspace(problem.t0, problem.t_end, intervals + 1)
    h = (problem.t_end - problem.t0) / intervals
    closed_form = problem.closed_form
    if argmax == "auto":
        argmax = "closed_form" if closed_form else "numerical"
    if argmax == "closed_form" and not closed_form:
        raise ValueError("the closed-form maximiser needs separable revenue and a law that has one")
    if memory is None:
        memory = ANDERSON_MEMORY[argmax]
    grid = problem.on_grid(t)
    alpha = np.full(t.size, 0.5) if alpha0 is None else np.clip(np.asarray(alpha0, float), 0.0, 1.0)
    if alpha.shape != t.shape:
        raise ValueError(f"alpha0 has {alpha.size} values for {t.size} grid points")
    run = _sweep(grid, alpha, h, tol, max_iter, damping, memory, argmax)
    iterations, rescue_used = run.iterations, ""
    if run.status == "stalled" and rescue:
        rescue_used = "damped restart"
        retry = _sweep(grid, run.best_alpha, h, tol, max(0, max_iter - iterations), 0.1, 0, argmax)
        iterations += retry.iterations
        if retry.status == "converged" or retry.best_change < run.best_change:
            run = retry
        if run.status != "converged":
            rescue_used = "direct method"
            run = _direct_rescue(problem, grid, (run.best_alpha, alpha), h, tol, argmax)
    alpha = run.alpha
    x, at, costate, switches = _path(grid, alpha, h)
    revenue = at.revenue(alpha)
    npv_path = split_cumulative(grid.discount * revenue, h, switches)  # as planned_npv_path integrates it
    converged = run.status == "converged" and run.change < tol
    if converged and run.switch_cells:
        message = f"converged except for {run.switch_cells} grid point(s) holding a switch of the control"
    elif converged:
        message = "converged"
    else:
        reason = "stalled" if run.status == "stalled" else "hit the iteration cap"
        message = (f"not converged: the sweep {reason} after {iterations} iterations with residual "
                   f"{run.change:.3g}")
    if rescue_used:
        message += f" (rescue: {rescue_used})"
    return ControlResult(
        t=t, alpha=alpha, state=x, capability=at.M, costate=costate, revenue=revenue, npv_path=npv_path,
        npv=float(npv_path[-1]), iterations=iterations, change=run.change, converged=converged,
        method=f"forward-backward sweep ({argmax} argmax, cumulative Simpson)",
        message=message, extra={"switch_cells": run.switch_cells, "rescue": rescue_used,
                                "status": run.status, "resolution": run.resolution})


RESCUE_POLISHES = ((1.0, 0), (0.5, 5))  # (damping, Anderson memory) of the second polish of a rescue


def _direct_rescue(problem: LabProblem, grid: ProblemGrid, starts: tuple[Array, ...], h: float, tol: float,
                   argmax: str) -> _Sweep:
    """The last resort for a stalled sweep: the direct method from the sweep's best control and from its
    initial guess.

    A sweep stalls where H has several maxima and the control jumps between them, and there the NPV
    has several local maxima too: the direct optimum (piecewise constant on at most 200 pieces) is found
    from each start, sampled at the grid's piece midpoints and polished by a few sweeps. A polish that
    converges is a fixed point of the sweep, and the converged one with the highest NPV is the answer.
    If none does, the best control met is polished again (``RESCUE_POLISHES``); if that does not
    converge either, the control returned is the one with the highest NPV on the grid among the direct
    optima and the polishes' best-residual and last iterates (a polish can move far from its start while
    it fails to settle), with its own residual as a fixed point of the sweep, so a control that is
    near-optimal but not a fixed point still says it has not converged.
    """
    t = grid.t
    pieces = int(min(200, t.size - 1))
    edges = np.linspace(problem.t0, problem.t_end, pieces + 1)
    midpoints = 0.5 * (edges[:-1] + edges[1:])
    index = np.minimum(np.searchsorted(edges, t, side="right") - 1, pieces - 1)
    settled: list[_Sweep] = []
    candidates: list[tuple[float, Array, float | None]] = []  # (NPV on the grid, control, residual if known)
    iterations = 0

    def polish(start: Array, max_iter: int, damping: float, memory: int) -> None:
        nonlocal iterations
        run = _sweep(grid, start, h, tol, max_iter, damping, memory, argmax)
        iterations += run.iterations
        if run.status == "converged":
            settled.append(run)
        else:
            candidates.extend((_grid_npv(grid, alpha, h), alpha, change)
                              for alpha, change in ((run.best_alpha, run.best_change), (run.alpha, None)))

    for start in starts:
        sampled = solve_direct(problem, pieces, alpha0=np.interp(midpoints, t, start), tol=1e-12).alpha[index]
        candidates.append((_grid_npv(grid, sampled, h), sampled, None))
        polish(sampled, 50, 0.5, 5)
    if not settled:
        # The best control met is usually close to a fixed point but for a jump between two maxima of H;
        # polished again, plainly (a jump can throw Anderson's extrapolation) and with damped Anderson.
        best = max(candidates, key=lambda candidate: candidate[0])[1]
        for damping, memory in RESCUE_POLISHES:
            polish(best, 100, damping, memory)
    if settled:
        return max(settled, key=lambda run: _grid_npv(grid, run.alpha, h))
    _, best, change = max(candidates, key=lambda candidate: candidate[0])
    if change is None:
        change = _fixed_point_residual(grid, best, h, argmax)
    return _Sweep(best, change, iterations, 0, "stalled", best, change)


def _grid_npv(grid: ProblemGrid, alpha: Array, h: float) -> float:
    """The NPV of ``alpha`` on ``grid``, integrated as the solver integrates its own."""
    x = planned_state(grid, alpha, h)
    discounted = grid.discount * grid.problem.revenue_at(grid.revenue, x).revenue(alpha)
    return float(planned_npv_path(grid, alpha, discounted, h)[-1])


def _fixed_point_residual(grid: ProblemGrid, alpha: Array, h: float, argmax: str) -> float:
    """How far one sweep would move ``alpha``: the largest gap to the global maximiser of H on its own
    state and costate."""
    path = _path(grid, alpha, h)
    hamiltonian = grid.at(path.x, path.costate, path.revenue)
    target = closed_form_alpha(hamiltonian) if argmax == "closed_form" else maximise_hamiltonian(hamiltonian)
    return float(np.max(np.abs(target - alpha)))


INNER_FRACTION = 1e-3  # a sweep resolves each maximum of H to this fraction of the change it expects ...
INNER_LOOSEST = 0.1 * JUMP  # ... never more loosely than this (a jump between maxima must stand out) ...
VERDICT_FRACTION = 1e-2  # ... and to this fraction of the tolerance before it may declare convergence


def _inner_tolerance(spread: Array | None, ratio: float, tol: float) -> Array | float:
    """How tightly a sweep resolves each maximum of H: ``INNER_FRACTION`` of the change of alpha it
    expects there, never more loosely than ``INNER_LOOSEST`` nor more tightly than ``VERDICT_FRACTION``
    of ``tol``.

    The expected change at a point is its last change (``spread``) times the factor by which the
    sweep's largest change fell last time (``ratio``; 0 until two changes are known, so the first two
    sweeps resolve to the floor). A target the iteration will move away from needs no more digits than
    the move, and resolving it to rounding costs a few slope evaluations more per sweep; an error of a
    small fraction of the next change leaves the Anderson-accelerated iteration's progress as it is
    (a fraction of the last change was not enough: the acceleration shrinks the change by more than a
    factor of ten per sweep, and errors of that size slowed it). Convergence is never declared on these
    loose targets (see :func:`_resolved`)."""
    if spread is None:
        return VERDICT_FRACTION * tol
    return np.clip(INNER_FRACTION * ratio * spread, VERDICT_FRACTION * tol, max(INNER_LOOSEST, VERDICT_FRACTION * tol))


def _resolved(h: HamiltonianAt, target: Array, resolution: Array, accuracy: float) -> tuple[Array, Array]:
    """``target`` (maxima of H, each resolved to within ``resolution``: 0 on a bound, where a maximum is
    exact) with those resolved more loosely than ``accuracy`` resolved again to it, from a bracket about
    their own width; and the resolution of each after that.

    The sweep calls it whenever its loose targets cannot rule out convergence (their changes less
    their resolution would pass the verdict), so that a converged verdict is always taken on maxima
    resolved to ``VERDICT_FRACTION * tol``, well inside ``tol``: the verdict is as honest as with
    maxima resolved to rounding."""
    loose = np.flatnonzero(resolution > accuracy)
    if not loose.size:
        return target, resolution
    out, finer = target.copy(), resolution.copy()
    out[loose] = maximise_hamiltonian(h.take(loose), start=target[loose], spread=resolution[loose], xtol=accuracy)
    finer[loose] = accuracy
    return out, finer


def _settles(size: Array, tol: float, target: Array, last_target: Array | None) -> bool:
    """Whether a sweep whose targets are ``size`` from the control has settled: everywhere below ``tol``,
    or everywhere but a switch band (:func:`_only_a_switch_band`)."""
    unsettled = size >= tol
    return not unsettled.any() or (last_target is not None and _only_a_switch_band(unsettled, target, last_target))


def _only_a_switch_band(unsettled: Array, target: Array, last_target: Array, width: int = SWITCH_BAND) -> bool:
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
    grid = problem.on_grid(t)
    discount = grid.discount
    at = problem.revenue_at(grid.revenue, x)
    npv = float(np.sum(discount * at.revenue(a) * weights))
    dR_dx = problem.revenue_dx(at, x, a)
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
    at = problem.revenue_at(problem.revenue.on_grid(t), x)
    npv, grad = npv_piecewise(problem, levels)
    projected = np.where((levels <= 1e-12) & (grad < 0) | (levels >= 1.0) & (grad > 0), 0.0, grad)
    return ControlResult(
        t=t, alpha=alpha, state=x, capability=at.M, costate=np.full(t.size, np.nan),
        revenue=at.revenue(alpha), npv_path=np.full(t.size, np.nan), npv=npv,
        iterations=int(result.nit), change=float(np.max(np.abs(projected)) / scale),
        converged=bool(result.success), method=f"direct: L-BFGS-B over {pieces} constant pieces",
        message=str(result.message))
