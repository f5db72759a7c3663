"""The planner's compiled loops (numba): the root search on dH/dalpha and, where it can be, the slope itself.

A sweep of :func:`policies.optimal_control.solve_pontryagin` finds, at every grid point, where dH/dalpha
turns from positive to negative (Chandrupatla's bracketing search). Done with numpy, each search step is
one slope evaluation and a few dozen elementwise updates of short arrays, and per-call overhead is most
of the cost. Two levels of compilation remove it:

* **The search's bookkeeping** (:func:`start`, :func:`advance`, :func:`answers`) for any slope: numpy
  evaluates the slope through the law and the demand form, and one compiled loop updates every bracket
  and places the next point. A search's state is one array, a row per quantity of :data:`ROWS` and a
  column per point, so dropping resolved points is one indexing operation.
* **The whole local and unimodal maximisers** (:func:`local_argmax`, :func:`unimodal_argmax`) where the
  slope itself is compiled: the law declares its rate as a power of alpha (``CapabilityLaw.rate_power``)
  and the demand form is one of :data:`COMPILED_FORMS`, whose pools are written here a second time as
  scalars. Each point then brackets its maximum and searches the bracket on its own, calling the scalar
  slope :func:`_signed_slope`; H and its slope over many alphas (:func:`values`, :func:`slope_terms`)
  serve the paths that stay numpy-driven (the global scan).

Both run the same scalar steps (:func:`_settle_and_place`, :func:`_take_slope`), so a compiled search
and a numpy-driven one take the same points given the same slopes. Everything lives in this one file
because numba's on-disk cache (``cache=True``, next to the source) watches only the file a function is
defined in: a helper in another file could change without its callers being recompiled.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

ROOT_XTOL = 4.0 * np.finfo(float).eps  # bracket width at which a root of dH/dalpha counts as resolved
ROOT_FLAT_TOL = 64.0 * np.finfo(float).eps  # a root estimated (by a secant) this close in alpha is found:
# closer than that, dH/dalpha is rounding noise and its sign no longer says on which side the root lies
ROOT_MAX_STEPS = 200  # a bound only: interpolation converges superlinearly, and where it may not, bisection
SINGULAR_GAIN = 1.5  # a marginal value of training this many times larger at a bracket's low end than at its
# high end is taken to blow up as a power of alpha (the power law's towards 0): the search interpolates in logs
END_PROBE = 1e-13  # bracket ends are tested this far inside [0, 1]; also the floor of alpha in log space

_COMPILE = dict(cache=True, nogil=True, error_model="numpy")  # numpy's rules: x / 0 is inf or nan, never raises

# ---------------------------------------------------------------------------------------------------------
# The search, one point at a time

ROWS = ("a", "b", "c", "fa", "fb", "fc", "ga", "gb", "gc", "singular", "half_xtol", "flat_tol", "done")
"""The rows of a search's state: ``a`` the newest point, ``b`` the other end of the bracket, ``c`` the point
the last step discarded; ``f*`` the slope there and ``g*`` the log ratio of the slope's two terms (used
where the gain is ``singular``); each point's half tolerance and flat tolerance; 1 once resolved."""
A, B, C, FA, FB, FC, GA, GB, GC, SINGULAR, HALF_XTOL, FLAT_TOL, DONE = range(len(ROWS))


@njit(**_COMPILE)
def _log_ratio(slope: float, gain: float, loss: float) -> float:
    """``log(gain / loss)``, of the slope's sign; nan where a term is not positive or the slope is not finite."""
    if not (gain > 0.0 and loss > 0.0 and math.isfinite(slope)):
        return math.nan
    ratio = math.log(gain) - math.log(loss)
    return ratio if math.isfinite(ratio) else math.nan


@njit(**_COMPILE)
def _inverse_quadratic_step(a: float, b: float, c: float, fa: float, fb: float, fc: float) -> float:
    """Where, as a fraction of the way from ``a`` to ``b``, the inverse quadratic through the three points
    vanishes; nan where Chandrupatla's test says that interpolant is not monotone between ``a`` and ``b``
    (the caller bisects there)."""
    xi = (a - b) / (c - b)
    phi = (fa - fb) / (fc - fb)
    if phi * phi < xi and (1.0 - phi) ** 2 < 1.0 - xi:
        return fa / (fb - fa) * fc / (fb - fc) + (c - a) / (b - a) * fa / (fc - fa) * fb / (fc - fb)
    return math.nan


@njit(**_COMPILE)
def _start_point(s: np.ndarray, j: int, gain_lo: float, loss_lo: float, gain_hi: float, loss_hi: float) -> None:
    """Complete point ``j`` of a state holding its bracket's ends and their slopes: the log ratios at the ends
    where the gain is singular, and the discarded point ``c`` (the far end, until a step discards one)."""
    if s[SINGULAR, j] != 0.0:
        s[GA, j] = _log_ratio(s[FA, j], gain_lo, loss_lo)
        s[GB, j] = _log_ratio(s[FB, j], gain_hi, loss_hi)
    else:
        s[GA, j], s[GB, j] = s[FA, j], s[FB, j]
    s[C, j], s[FC, j], s[GC, j] = s[B, j], s[FB, j], s[GB, j]


@njit(**_COMPILE)
def _settle_and_place(s: np.ndarray, j: int, first: bool) -> float:
    """Mark point ``j`` resolved, or return where its search evaluates next (nan once resolved).

    A point is resolved when its bracket is narrower than twice its resolution, when the slope vanishes
    at an end, or (after the first step) when a secant puts the newest point within the flat tolerance
    of the root: the flatter of the secants to the previous point and to the far end, so that a steep
    far end cannot make it look close. The next point is the secant through the ends on the first step
    and the inverse quadratic through the last three later; in log alpha against the log ratio of the
    slope's terms where the gain is singular and those are defined; a bisection (geometric while the
    bracket spans more than a factor of four) where the interpolant is not to be trusted; and at least the
    resolution inside both ends, so the bracket always shrinks.
    """
    a, b, c, fa, fb, fc = s[A, j], s[B, j], s[C, j], s[FA, j], s[FB, j], s[FC, j]
    low, high = min(a, b), max(a, b)
    width = high - low
    resolution = max(0.5 * ROOT_XTOL * max(low, 1e-3), s[HALF_XTOL, j])
    done = s[DONE, j] != 0.0 or width <= 2.0 * resolution or fa == 0.0 or fb == 0.0
    if not done and not first:
        slope_c, slope_b = (fa - fc) / (a - c), (fa - fb) / (a - b)
        slope = math.nan if math.isnan(slope_c) or math.isnan(slope_b) else max(slope_c, slope_b)
        done = slope < 0.0 and abs(fa / slope) <= s[FLAT_TOL, j]
    if done:
        s[DONE, j] = 1.0
        return math.nan
    ga, gb, gc = s[GA, j], s[GB, j], s[GC, j]
    logs = s[SINGULAR, j] != 0.0 and math.isfinite(ga) and math.isfinite(gb) and math.isfinite(gc)
    if logs:
        ua, ub, uc = math.log(max(a, END_PROBE)), math.log(max(b, END_PROBE)), math.log(max(c, END_PROBE))
        va, vb, vc = ga, gb, gc
    else:
        ua, ub, uc, va, vb, vc = a, b, c, fa, fb, fc
    t = va / (va - vb) if first else _inverse_quadratic_step(ua, ub, uc, va, vb, vc)
    point = ua + t * (ub - ua)
    if logs:
        point = math.exp(point)
    if not math.isfinite(point):
        point = math.sqrt(max(low, END_PROBE) * high) if high > 4.0 * low else 0.5 * (low + high)
    margin = min(resolution, 0.5 * width)
    return min(max(point, low + margin), high - margin)


@njit(**_COMPILE)
def _take_slope(s: np.ndarray, j: int, x: float, f: float, gain: float, loss: float) -> None:
    """Take the slope ``f`` (and its terms) at ``x`` into point ``j``'s bracket: ``x`` is the new ``a``; the
    old ``a`` becomes ``c``, or ``b`` where the slope changed sign between them."""
    g = _log_ratio(f, gain, loss) if s[SINGULAR, j] != 0.0 else f
    if (f > 0.0) == (s[FA, j] > 0.0):
        s[C, j], s[FC, j], s[GC, j] = s[A, j], s[FA, j], s[GA, j]
    else:
        s[C, j], s[FC, j], s[GC, j] = s[B, j], s[FB, j], s[GB, j]
        s[B, j], s[FB, j], s[GB, j] = s[A, j], s[FA, j], s[GA, j]
    s[A, j], s[FA, j], s[GA, j] = x, f, g


@njit(**_COMPILE)
def _answer(s: np.ndarray, j: int) -> float:
    """Point ``j``'s answer: the end of its bracket with the smaller slope once resolved, else the
    bracket's midpoint (the step bound was hit)."""
    if s[DONE, j] != 0.0:
        return s[A, j] if abs(s[FA, j]) <= abs(s[FB, j]) else s[B, j]
    return 0.5 * (s[A, j] + s[B, j])


# ---------------------------------------------------------------------------------------------------------
# The search driven from numpy: numpy evaluates the slope, these update every point

def initial_state(lo: np.ndarray, hi: np.ndarray, slope_lo: np.ndarray, slope_hi: np.ndarray,
                  gain_lo: np.ndarray, gain_hi: np.ndarray, half_xtol: np.ndarray | float) -> np.ndarray:
    """A search's state from its brackets ``[lo, hi]``, the slopes and the gains at their ends and each
    point's half tolerance; :func:`start` completes it."""
    s = np.zeros((len(ROWS), lo.size))
    s[A], s[B], s[FA], s[FB] = lo, hi, slope_lo, slope_hi
    s[SINGULAR] = gain_lo > SINGULAR_GAIN * gain_hi
    s[HALF_XTOL] = half_xtol
    s[FLAT_TOL] = np.maximum(ROOT_FLAT_TOL, half_xtol)
    return s


@njit(**_COMPILE)
def _next_point(s: np.ndarray, j: int, x: np.ndarray, first: bool) -> int:
    """Point ``j``'s next evaluation in ``x[j]`` and 1, or, once it is resolved, its ``a`` (where a slope
    evaluation over all points leaves it as it is) and 0."""
    point = _settle_and_place(s, j, first)
    if math.isnan(point):
        x[j] = s[A, j]
        return 0
    x[j] = point
    return 1


@njit(**_COMPILE)
def start(s: np.ndarray, x: np.ndarray, gain_lo: np.ndarray, loss_lo: np.ndarray, gain_hi: np.ndarray,
          loss_hi: np.ndarray) -> int:
    """The first step of a search from :func:`initial_state`, given the slope's two terms at both ends:
    the next point of each unresolved point in ``x`` (its ``a`` where resolved); how many are unresolved."""
    unresolved = 0
    for j in range(s.shape[1]):
        _start_point(s, j, gain_lo[j], loss_lo[j], gain_hi[j], loss_hi[j])
        unresolved += _next_point(s, j, x, True)
    return unresolved


@njit(**_COMPILE)
def advance(s: np.ndarray, x: np.ndarray, fx: np.ndarray, gain: np.ndarray, loss: np.ndarray) -> int:
    """Take the slopes ``fx`` (and their terms) at ``x`` into every unresolved bracket, then place the next
    points in ``x`` as :func:`start` does; how many are unresolved."""
    unresolved = 0
    for j in range(s.shape[1]):
        if s[DONE, j] != 0.0:
            continue
        _take_slope(s, j, x[j], fx[j], gain[j], loss[j])
        unresolved += _next_point(s, j, x, False)
    return unresolved


@njit(**_COMPILE)
def answers(s: np.ndarray, out: np.ndarray) -> None:
    """Every point's :func:`_answer`."""
    for j in range(s.shape[1]):
        out[j] = _answer(s, j)


# ---------------------------------------------------------------------------------------------------------
# The slope of H, compiled

COMPILED_FORMS = {"quasilinear": 0, "capacity": 1}
"""Demand forms (by registered name) whose pool and its derivatives are compiled below, and their codes.
Their formulas are those of ``market/demand/quasilinear.py`` and ``capacity.py`` in the same order of
operations; ``tests/test_kernels.py`` holds the two to the same numbers."""

TERMS = ("costate", "discount", "compute", "value_per_token", "rival_value", "rival_tokens", "condition",
         "rival_per_own", "rate_coefficient", "rate_exponent", "cost")
"""The alpha-free terms at each grid point: the rows of the array the compiled slope reads. ``compute`` is
the tokens a lab serving all its compute would offer; the rate is ``rate_coefficient alpha^rate_exponent``."""
(COSTATE, DISCOUNT, COMPUTE, VALUE_PER_TOKEN, RIVAL_VALUE, RIVAL_TOKENS, CONDITION, RIVAL_PER_OWN,
 RATE_COEFFICIENT, RATE_EXPONENT, COST) = range(len(TERMS))


@njit(**_COMPILE)
def _power(x: float, exponent: float) -> float:
    """``x ** exponent``, without a call to ``pow`` for the exponents the shipped laws give (0 and 1 for the
    Chinchilla laws' linear rate, +-1/2 for the default power law), where a square root or nothing is exact
    to within one rounding of it."""
    if exponent == 0.0:
        return 1.0
    if exponent == 1.0:
        return x
    if exponent == 0.5:
        return math.sqrt(x)
    if exponent == -0.5:
        return 1.0 / math.sqrt(x)
    return x ** exponent


@njit(**_COMPILE)
def _pool(form: int, value: float, tokens: float, condition: float, omega: float) -> tuple[float, float, float]:
    """The pool of demand form ``form`` and its derivatives in value and tokens (0 where it is floored)."""
    if form == 0:  # quasilinear: omega V - delta T^2
        raw = omega * value - condition * tokens * tokens
        if raw > 0.0:
            return raw, omega, -2.0 * condition * tokens
        return (0.0 if raw <= 0.0 else raw), 0.0, 0.0
    free = 1.0 - tokens / condition  # capacity: omega V (1 - T / D)
    free = 0.0 if free <= 0.0 else free
    return omega * value * free, omega * free, (-omega * value / condition if tokens < condition else 0.0)


@njit(**_COMPILE)
def _served(t: np.ndarray, j: int, alpha: float, form: int,
            omega: float) -> tuple[float, float, float, float, float, float]:
    """At grid point ``j`` and ``alpha``: own serving ``K``, the pool and its derivatives in value and
    tokens, the contest's denominator (per unit of own weight) and the lab's share."""
    per_token = t[VALUE_PER_TOKEN, j]
    K = (1.0 - alpha) * t[COMPUTE, j]
    pool, dpool_dvalue, dpool_dtokens = _pool(form, per_token * K + t[RIVAL_VALUE, j], K + t[RIVAL_TOKENS, j],
                                              t[CONDITION, j], omega)
    contest = K + t[RIVAL_PER_OWN, j]
    share = K / contest if K > 0.0 else 0.0
    return K, pool, dpool_dvalue, dpool_dtokens, contest, share


@njit(**_COMPILE)
def _value(t: np.ndarray, j: int, alpha: float, pool: float, share: float) -> float:
    """H at point ``j`` and ``alpha`` from the pool and the share there: ``e^{-rho t} R + lambda rate``."""
    rate = t[RATE_COEFFICIENT, j] * _power(alpha, t[RATE_EXPONENT, j])
    return t[DISCOUNT, j] * (pool * share - t[COST, j]) + t[COSTATE, j] * rate


@njit(**_COMPILE)
def _slope_terms(t: np.ndarray, j: int, alpha: float, form: int, omega: float) -> tuple[float, float, float, float]:
    """At grid point ``j`` and ``alpha``: the marginal value of training ``lambda drate/dalpha`` (0 where the
    costate is 0), the marginal revenue given up ``-e^{-rho t} dR/dalpha``, and the pool and the share
    (which :func:`_signed_slope` needs for H where the slope vanishes)."""
    costate = t[COSTATE, j]
    exponent = t[RATE_EXPONENT, j]
    drate = t[RATE_COEFFICIENT, j] * exponent * _power(alpha, exponent - 1.0)
    gain = 0.0 if costate == 0.0 else costate * drate
    _, pool, dpool_dvalue, dpool_dtokens, contest, share = _served(t, j, alpha, form, omega)
    dpool_dK = dpool_dvalue * t[VALUE_PER_TOKEN, j] + dpool_dtokens
    dshare_dK = (1.0 - share) / contest if contest > 0.0 else 0.0
    return gain, t[DISCOUNT, j] * (t[COMPUTE, j] * (share * dpool_dK + pool * dshare_dK)), pool, share


@njit(**_COMPILE)
def _signed_slope(t: np.ndarray, j: int, alpha: float, form: int, omega: float) -> tuple[float, float, float]:
    """dH/dalpha at point ``j`` and ``alpha``, ``+inf`` where H is flat at zero short of alpha = 1 (a lab
    priced out), and its two terms: :func:`policies.optimal_control._signed_slope`, compiled."""
    gain, loss, pool, share = _slope_terms(t, j, alpha, form, omega)
    slope = gain - loss
    if slope == 0.0 and alpha < 1.0 and _value(t, j, alpha, pool, share) <= 0.0:
        slope = math.inf
    return slope, gain, loss


@njit(**_COMPILE)
def slope_terms(form: int, alpha: np.ndarray, terms: np.ndarray, omega: float, gain: np.ndarray,
                loss: np.ndarray) -> None:
    """Fill ``gain`` and ``loss`` with the slope's two terms at each ``alpha[i, j]`` (``i`` an alpha tried,
    ``j`` a grid point), as :meth:`policies.optimal_control.HamiltonianAt.slope_terms` returns them."""
    for i in range(alpha.shape[0]):
        for j in range(alpha.shape[1]):
            gain[i, j], loss[i, j], _, _ = _slope_terms(terms, j, alpha[i, j], form, omega)


@njit(**_COMPILE)
def values(form: int, alpha: np.ndarray, terms: np.ndarray, omega: float, out: np.ndarray) -> None:
    """Fill ``out`` with H at each ``alpha[i, j]``, as :meth:`policies.optimal_control.HamiltonianAt.value`
    gives it."""
    for i in range(alpha.shape[0]):
        for j in range(alpha.shape[1]):
            _, pool, _, _, _, share = _served(terms, j, alpha[i, j], form, omega)
            out[i, j] = _value(terms, j, alpha[i, j], pool, share)


@njit(**_COMPILE)
def _end_slope(t: np.ndarray, j: int, alpha: float, form: int, omega: float) -> tuple[float, float, float]:
    """:func:`_signed_slope` at a bracket's end, taken ``END_PROBE`` inside the unit interval."""
    return _signed_slope(t, j, min(max(alpha, END_PROBE), 1.0 - END_PROBE), form, omega)


@njit(**_COMPILE)
def _argmax_in(s: np.ndarray, t: np.ndarray, j: int, lo: float, hi: float, f_lo: float, gain_lo: float,
               loss_lo: float, f_hi: float, gain_hi: float, loss_hi: float, half_xtol: float, form: int,
               omega: float, report: np.ndarray) -> float:
    """The maximum of H at point ``j`` in the bracket ``[lo, hi]`` with the (end-probed) slopes at its ends:
    an end where H does not rise into the bracket, or keeps rising out of it, else the root of the slope
    searched as the numpy-driven search does (:func:`start`, :func:`advance`; ``s`` is a one-point state
    to work in). A search that hits the step bound is counted in ``report``, with its width."""
    if f_hi > 0.0:
        return hi
    if not f_lo > 0.0:
        return lo
    s[A, 0], s[B, 0], s[FA, 0], s[FB, 0] = lo, hi, f_lo, f_hi
    s[SINGULAR, 0] = 1.0 if gain_lo > SINGULAR_GAIN * gain_hi else 0.0
    s[HALF_XTOL, 0] = half_xtol
    s[FLAT_TOL, 0] = max(ROOT_FLAT_TOL, half_xtol)
    s[DONE, 0] = 0.0
    _start_point(s, 0, gain_lo, loss_lo, gain_hi, loss_hi)
    x = _settle_and_place(s, 0, True)
    steps = 0
    while not math.isnan(x) and steps < ROOT_MAX_STEPS:
        f, gain, loss = _signed_slope(t, j, x, form, omega)
        _take_slope(s, 0, x, f, gain, loss)
        x = _settle_and_place(s, 0, False)
        steps += 1
    if not math.isnan(x):
        report[0] += 1.0
        report[1] = max(report[1], abs(s[B, 0] - s[A, 0]))
    return _answer(s, 0)


@njit(**_COMPILE)
def local_argmax(form: int, terms: np.ndarray, omega: float, start: np.ndarray, half_width: np.ndarray,
                 regrow: float, half_xtol: np.ndarray, out: np.ndarray, report: np.ndarray) -> None:
    """The maximum of H nearest ``start`` at every point: ``maximise_hamiltonian``'s local path, compiled.

    Each point's bracket starts ``half_width`` either side of its start and grows fourfold, and at least
    to ``regrow``, on the failing side until H rises at its low end and falls at its high end, or it
    reaches 0 or 1 (:func:`policies.optimal_control._local_bracket`); then :func:`_argmax_in`.
    ``report`` receives the number of points whose search hit the step bound and the widest of them.
    """
    s = np.zeros((len(ROWS), 1))
    for j in range(start.size):
        centre = min(max(start[j], 0.0), 1.0)
        half = half_width[j]
        lo, hi = max(centre - half, 0.0), min(centre + half, 1.0)
        f_lo, gain_lo, loss_lo = _end_slope(terms, j, lo, form, omega)
        f_hi, gain_hi, loss_hi = _end_slope(terms, j, hi, form, omega)
        while True:
            left = not f_lo > 0.0 and lo > 0.0  # H already falls at lo: the maximum lies below it
            right = f_hi > 0.0 and hi < 1.0 and not left  # H still rises at hi: the maximum lies above it
            if not (left or right):
                break
            half = max(half * 4.0, regrow)
            if left:  # the end that failed becomes the other side of the new bracket, which it bounds correctly
                hi, f_hi, gain_hi, loss_hi = lo, f_lo, gain_lo, loss_lo
                lo = max(centre - half, 0.0)
                f_lo, gain_lo, loss_lo = _end_slope(terms, j, lo, form, omega)
            else:
                lo, f_lo, gain_lo, loss_lo = hi, f_hi, gain_hi, loss_hi
                hi = min(centre + half, 1.0)
                f_hi, gain_hi, loss_hi = _end_slope(terms, j, hi, form, omega)
        out[j] = _argmax_in(s, terms, j, lo, hi, f_lo, gain_lo, loss_lo, f_hi, gain_hi, loss_hi, half_xtol[j],
                            form, omega, report)


UNIMODAL_LEVELS = np.array([0.0, 1e-6, 1e-4, 1e-2, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0])
"""Where a unimodal Hamiltonian's slope is sampled to bracket its maximum; denser near 0, where the power
law's marginal product of training blows up and a secant is useless."""


@njit(**_COMPILE)
def unimodal_argmax(form: int, terms: np.ndarray, omega: float, half_xtol: np.ndarray, out: np.ndarray,
                    report: np.ndarray) -> None:
    """The maximum of a unimodal H at every point: ``maximise_hamiltonian``'s unimodal path, compiled. The
    bracket is the pair of neighbouring :data:`UNIMODAL_LEVELS` where H turns from rising to falling
    (:func:`policies.optimal_control._scan_bracket`; the levels above the turn are not evaluated), then
    :func:`_argmax_in`."""
    s = np.zeros((len(ROWS), 1))
    last = UNIMODAL_LEVELS.size - 1
    for j in range(out.size):
        f_lo, gain_lo, loss_lo = _end_slope(terms, j, UNIMODAL_LEVELS[0], form, omega)
        f_hi, gain_hi, loss_hi = f_lo, gain_lo, loss_lo
        turn = 0
        while f_hi > 0.0 and turn < last:  # H rises at level ``turn``: look at the next
            f_lo, gain_lo, loss_lo = f_hi, gain_hi, loss_hi
            turn += 1
            f_hi, gain_hi, loss_hi = _end_slope(terms, j, UNIMODAL_LEVELS[turn], form, omega)
        lo, hi = UNIMODAL_LEVELS[max(turn - 1, 0)], UNIMODAL_LEVELS[turn]
        out[j] = _argmax_in(s, terms, j, lo, hi, f_lo, gain_lo, loss_lo, f_hi, gain_hi, loss_hi, half_xtol[j],
                            form, omega, report)


def load() -> None:
    """Load every kernel above from numba's cache (compiling it there the first time), as their first calls
    would: a process forked afterwards (a tournament's workers, see ``labrace.tournaments.preload``) starts
    with them ready instead of loading them itself."""
    n = 2
    terms = np.ones((len(TERMS), n))
    alpha, out = np.full((1, n), 0.5), np.empty((1, n))
    slope_terms(0, alpha, terms, 1.0, out, np.empty((1, n)))
    values(0, alpha, terms, 1.0, out)
    points, report = np.full(n, 0.5), np.zeros(2)
    local_argmax(0, terms, 1.0, points, np.full(n, 0.1), 0.0, np.zeros(n), np.empty(n), report)
    unimodal_argmax(0, terms, 1.0, np.zeros(n), np.empty(n), report)
    s = initial_state(np.zeros(n), np.ones(n), np.ones(n), -np.ones(n), np.ones(n), np.ones(n), np.zeros(n))
    x = np.empty(n)
    start(s, x, np.ones(n), np.ones(n), np.ones(n), np.ones(n))
    advance(s, x, -np.ones(n), np.ones(n), np.ones(n))
    answers(s, np.empty(n))
