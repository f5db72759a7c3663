"""The marginal revenue of serving, compiled, for the demand forms that have a compiled pool.

A Hamiltonian maximiser evaluates ``dR/dalpha`` at every grid point a few times per sweep.
:meth:`policies.revenue.RevenueAt.dalpha` does it with about twenty numpy operations on arrays of a
few thousand points, each mostly per-call overhead. Here the same arithmetic, in the same order per
point (so the same numbers), is one compiled loop (numba) over the points and the alphas tried at each.

Only the demand forms named in :data:`COMPILED_FORMS` have a compiled pool (their formulas are
written here a second time, as scalars; ``tests/test_revenue_kernel.py`` holds the two to the same
numbers). Any other form, a user's own included, takes the numpy path: it is slower, never wrong.
Everything lives in this one module so that numba's on-disk cache, which watches the file a compiled
function is defined in, never serves a stale pool.
"""

from __future__ import annotations

import numpy as np
from numba import njit

COMPILED_FORMS = {"quasilinear": 0, "capacity": 1}
"""Demand forms (by registered name) whose pool and its derivatives are compiled below, and their codes."""

TERMS = ("costate", "discount", "compute", "value_per_token", "rival_value", "rival_tokens", "condition",
         "rival_per_own")
"""The alpha-free terms at each grid point, the rows of the array :func:`slope_terms` takes."""
COSTATE, DISCOUNT, COMPUTE, VALUE_PER_TOKEN, RIVAL_VALUE, RIVAL_TOKENS, CONDITION, RIVAL_PER_OWN = range(len(TERMS))

_COMPILE = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_COMPILE)
def _quasilinear(value: float, tokens: float, condition: float, omega: float) -> tuple[float, float, float]:
    """:class:`market.demand.quasilinear.QuasilinearDemand`'s pool and its two derivatives."""
    raw = omega * value - condition * tokens * tokens
    if raw > 0.0:
        return raw, omega, -2.0 * condition * tokens
    return (0.0 if raw <= 0.0 else raw), 0.0, 0.0


@njit(**_COMPILE)
def _capacity(value: float, tokens: float, condition: float, omega: float) -> tuple[float, float, float]:
    """:class:`market.demand.capacity.CapacityDemand`'s pool and its two derivatives."""
    free = 1.0 - tokens / condition
    free = 0.0 if free <= 0.0 else free
    return omega * value * free, omega * free, (-omega * value / condition if tokens < condition else 0.0)


@njit(**_COMPILE)
def slope_terms(form: int, alpha: np.ndarray, drate: np.ndarray, terms: np.ndarray, omega: float,
                gain: np.ndarray, loss: np.ndarray) -> None:
    """Fill ``gain`` with ``lambda drate/dalpha`` and ``loss`` with ``-e^{-rho t} dR/dalpha`` at each
    ``alpha[i, j]`` (``i`` an alpha tried, ``j`` a grid point), from the law's ``drate`` there and the
    grid's alpha-free ``terms``; ``form`` is a code of :data:`COMPILED_FORMS`.

    As in :meth:`policies.optimal_control.HamiltonianAt.slope_terms`, a zero costate (the horizon) gives
    no gain even where the power law's marginal product is infinite."""
    for i in range(alpha.shape[0]):
        for j in range(alpha.shape[1]):
            costate = terms[COSTATE, j]
            gain[i, j] = 0.0 if costate == 0.0 else costate * drate[i, j]
            compute = terms[COMPUTE, j]
            per_token = terms[VALUE_PER_TOKEN, j]
            K = (1.0 - alpha[i, j]) * compute
            value = per_token * K + terms[RIVAL_VALUE, j]
            tokens = K + terms[RIVAL_TOKENS, j]
            if form == 0:
                pool, dpool_dvalue, dpool_dtokens = _quasilinear(value, tokens, terms[CONDITION, j], omega)
            else:
                pool, dpool_dvalue, dpool_dtokens = _capacity(value, tokens, terms[CONDITION, j], omega)
            contest = K + terms[RIVAL_PER_OWN, j]
            share = K / contest if K > 0.0 else 0.0
            dpool_dK = dpool_dvalue * per_token + dpool_dtokens
            dshare_dK = (1.0 - share) / contest if contest > 0.0 else 0.0
            loss[i, j] = terms[DISCOUNT, j] * (compute * (share * dpool_dK + pool * dshare_dK))
