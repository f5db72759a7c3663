"""Chandrupatla's bracketing root search on many points at once, its bookkeeping compiled.

:func:`policies.optimal_control._bracketed_root` finds, at every grid point, where dH/dalpha turns from
positive to negative. Each step evaluates the slope at one new point per grid point (vectorised numpy,
through the law and the demand form) and then updates every bracket and places the next point. That
update is a few dozen elementwise operations on short arrays; done by numpy it costs as much as the
slope evaluation itself, almost all of it per-call overhead. Here it is one compiled loop over the points
(numba), which does the same arithmetic in the same order per point.

A search's state is one array, a row per quantity and a column per point (:data:`ROWS`), so that the
caller drops resolved points with a single indexing operation.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

ROOT_XTOL = 4.0 * np.finfo(float).eps  # bracket width at which a root of dH/dalpha counts as resolved
ROOT_FLAT_TOL = 64.0 * np.finfo(float).eps  # a root estimated (by a secant) this close in alpha is found:
# closer than that, dH/dalpha is rounding noise and its sign no longer says on which side the root lies
SINGULAR_GAIN = 1.5  # a marginal value of training this many times larger at a bracket's low end than at its
# high end is taken to blow up as a power of alpha (the power law's towards 0): the search interpolates in logs
END_PROBE = 1e-13  # bracket ends are tested this far inside [0, 1]; also the floor of alpha in log space

ROWS = ("a", "b", "c", "fa", "fb", "fc", "ga", "gb", "gc", "singular", "half_xtol", "flat_tol", "done")
"""The rows of a search's state: ``a`` the newest point, ``b`` the other end of the bracket, ``c`` the point
the last step discarded; ``f*`` the slope there and ``g*`` the log ratio of the slope's two terms (used
where the gain is ``singular``); each point's half tolerance and flat tolerance; 1 once resolved."""
A, B, C, FA, FB, FC, GA, GB, GC, SINGULAR, HALF_XTOL, FLAT_TOL, DONE = range(len(ROWS))

_COMPILE = dict(cache=True, nogil=True, error_model="numpy")  # numpy's rules: x / 0 is inf or nan, never raises


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
def _settle_and_place(s: np.ndarray, x: np.ndarray, first: bool) -> int:
    """Mark the points now resolved and place the next point of every other one in ``x``; return how many
    are unresolved.

    A point is resolved when its bracket is narrower than twice its resolution, when the slope vanishes
    at an end, or (after the first step) when a secant puts the newest point within the flat tolerance
    of the root: the flatter of the secants to the previous point and to the far end, so that a steep
    far end cannot make it look close. The next point is the secant through the ends on the first step
    and the inverse quadratic through the last three later; in log alpha against the log ratio of the
    slope's terms where the gain is singular and those are defined; a bisection (geometric while the
    bracket spans more than a factor of four) where the interpolant is not to be trusted; and at least the
    resolution inside both ends, so the bracket always shrinks.
    """
    unresolved = 0
    for j in range(s.shape[1]):
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
            x[j] = a
            continue
        unresolved += 1
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
        x[j] = min(max(point, low + margin), high - margin)
    return unresolved


@njit(**_COMPILE)
def start(s: np.ndarray, x: np.ndarray, gain_lo: np.ndarray, loss_lo: np.ndarray, gain_hi: np.ndarray,
          loss_hi: np.ndarray) -> int:
    """The first step of a search from :func:`initial_state`, given the slope's two terms at both ends:
    the log ratios there where the gain is singular, then :func:`_settle_and_place`."""
    for j in range(s.shape[1]):
        if s[SINGULAR, j] != 0.0:
            s[GA, j] = _log_ratio(s[FA, j], gain_lo[j], loss_lo[j])
            s[GB, j] = _log_ratio(s[FB, j], gain_hi[j], loss_hi[j])
        else:
            s[GA, j], s[GB, j] = s[FA, j], s[FB, j]
        s[C, j], s[FC, j], s[GC, j] = s[B, j], s[FB, j], s[GB, j]
    return _settle_and_place(s, x, True)


@njit(**_COMPILE)
def advance(s: np.ndarray, x: np.ndarray, fx: np.ndarray, gain: np.ndarray, loss: np.ndarray) -> int:
    """Take the slope ``fx`` (and its terms) at the points ``x`` into every unresolved bracket (``x`` is the
    new ``a``; the old ``a`` becomes ``c``, or ``b`` where the slope changed sign between them), then
    :func:`_settle_and_place` the next points."""
    for j in range(s.shape[1]):
        if s[DONE, j] != 0.0:
            continue
        f = fx[j]
        g = _log_ratio(f, gain[j], loss[j]) if s[SINGULAR, j] != 0.0 else f
        if (f > 0.0) == (s[FA, j] > 0.0):
            s[C, j], s[FC, j], s[GC, j] = s[A, j], s[FA, j], s[GA, j]
        else:
            s[C, j], s[FC, j], s[GC, j] = s[B, j], s[FB, j], s[GB, j]
            s[B, j], s[FB, j], s[GB, j] = s[A, j], s[FA, j], s[GA, j]
        s[A, j], s[FA, j], s[GA, j] = x[j], f, g
    return _settle_and_place(s, x, False)


@njit(**_COMPILE)
def answers(s: np.ndarray, out: np.ndarray) -> None:
    """Each point's answer: the end of its bracket with the smaller slope where it is resolved, else the
    bracket's midpoint (the step bound was hit)."""
    for j in range(s.shape[1]):
        if s[DONE, j] != 0.0:
            out[j] = s[A, j] if abs(s[FA, j]) <= abs(s[FB, j]) else s[B, j]
        else:
            out[j] = 0.5 * (s[A, j] + s[B, j])


def initial_state(lo: np.ndarray, hi: np.ndarray, slope_lo: np.ndarray, slope_hi: np.ndarray,
                  gain_lo: np.ndarray, gain_hi: np.ndarray, half_xtol: np.ndarray) -> np.ndarray:
    """A search's state from its brackets ``[lo, hi]``, the slopes and the gains at their ends and each
    point's half tolerance; :func:`start` completes it."""
    s = np.zeros((len(ROWS), lo.size))
    s[A], s[B], s[FA], s[FB] = lo, hi, slope_lo, slope_hi
    s[SINGULAR] = gain_lo > SINGULAR_GAIN * gain_hi
    s[HALF_XTOL] = half_xtol
    s[FLAT_TOL] = np.maximum(ROOT_FLAT_TOL, half_xtol)
    return s
