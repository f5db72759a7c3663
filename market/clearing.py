"""Market clearing: the demand form's revenue pool, divided by relative capability (model.md §2).

All functions work on whole arrays of labs; nothing loops over labs in Python. The pool is a function of
the market's total value ``V = sum M_i^gamma K_i`` and total tokens ``T = sum K_i`` only (the demand
form's contract, :mod:`market.demand.base`); lab ``i``'s share of it is ``M_i^lambda K_i / sum_j M_j^lambda K_j``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from market.params import MarketParams

Array = np.ndarray


class Clearing(NamedTuple):
    """Outcome of one clearing: market-level scalars and per-lab arrays (an immutable record made every
    step, hence a named tuple rather than a frozen dataclass, whose construction costs several times more)."""

    price: float
    tokens: float
    pool: float
    quality: float
    shares: Array
    revenue: Array


RATIO_FLOOR = 2.0 ** -1000  # a capability ratio to the leader at least this large is a normal float
EXACT_POWERS = (0.5, 1.0, 2.0)  # exponents numpy's power evaluates as a square root, a copy or a square


def _relative_to_lead(M: Array, lead: Array | float, exponent: float) -> Array | None:
    """``(M / lead) ** exponent`` for capabilities ``M`` at most ``lead`` (positive and finite), or ``None``
    when one is 0 or so far below ``lead`` that its ratio is not a normal float (the caller then works
    in log space).

    numpy's power where it reduces to a cheap operation; else ``exp(exponent (log M - log lead))``, as a
    general power costs more than a log and an exp.
    """
    if exponent in EXACT_POWERS:
        ratio = M / lead
        return ratio ** exponent if ratio.min() >= RATIO_FLOOR else None
    if not M.min() > 0.0:
        return None
    return np.exp(exponent * (np.log(M) - np.log(lead)))


def capability_weights(M: Array, K: Array, exponent: float) -> Array:
    """``M^exponent K`` rescaled by a common factor so that no exponent can overflow or underflow them all.

    Only ratios of these weights are used, so any common factor changes nothing. The factor is
    ``M_lead^-exponent`` for the most capable lab *that serves* (``K > 0``): each weight is
    ``(M / M_lead)^exponent K``, so the leading server's weight is exactly its ``K`` and every other
    weight is at most its own ``K``, and the total is positive whenever anyone serves, however large
    the exponent. Rescaling by the most capable lab overall would underflow every weight once that lab
    stops serving. Labs that do not serve weigh nothing; a lab of capability 0 weighs nothing unless
    the exponent is 0.
    """
    if not M.size:
        return np.zeros_like(K)
    if exponent != 0.0 and K.min() > 0.0:
        # Everyone serves: when the leader's capability is positive and finite, the general form below
        # reduces to this (the same operations on the same numbers), without its masks.
        if M.ndim == 1:  # one market: a scalar lead, no broadcasting
            lead = M.max()
            usable = 0.0 < lead < np.inf
        else:
            lead = M.max(axis=-1, keepdims=True)
            usable = bool((lead > 0.0).all() and (lead < np.inf).all())
        relative = _relative_to_lead(M, lead, exponent) if usable else None
        if relative is not None:
            return relative * K
    serving = K > 0
    capacity = np.where(serving, K, 0.0)
    if exponent == 0.0:
        return capacity
    lead = np.max(np.where(serving, M, -np.inf), axis=-1, keepdims=True)
    if (lead > 0.0).all() and (lead < np.inf).all():
        # Labs that do not serve stand at the lead here, and weigh 0 through their capacity.
        relative = _relative_to_lead(np.where(serving, M, lead), lead, exponent)
        if relative is not None:
            return relative * capacity
    # A server of capability 0 or infinity, or one too far behind the lead for its ratio to be a normal
    # float: the same weights in log space, where neither overflows nor loses digits.
    with np.errstate(divide="ignore"):
        log_M = np.log(M)
    log_lead = np.max(np.where(serving, log_M, -np.inf), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isneginf(log_lead), 0.0, log_M - log_lead)  # servers all of capability 0 are tied
    relative = np.exp(exponent * np.minimum(gap, 0.0))
    return np.where(serving & (gap <= 0.0), relative * capacity, 0.0)


def split_shares(weights: Array) -> Array:
    """Shares proportional to ``weights``; all zero when nobody has weight (nobody serves).

    The weights of :func:`capability_weights` are at most the serving capacities and the leading
    server's is its whole capacity, so the total neither overflows nor underflows to zero.
    """
    if weights.ndim == 1:  # one market: a scalar total (the same sum), no broadcasting
        total = weights.sum()
        return weights / total if total > 0 else np.zeros_like(weights)
    total = weights.sum(axis=-1, keepdims=True)
    if (total > 0).all():  # the usual case, without the masked-divide machinery (or np.all's dispatch)
        return weights / total
    return np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)


def clear(M: Array, K: Array, t: float, market: MarketParams, omega: float | None = None,
          into: tuple[Array, Array] | None = None) -> Clearing:
    """Clear the market for capabilities ``M`` and serving capacities ``K`` (arrays over labs).

    ``into``: two arrays of the labs' shape to hold the shares and the revenue (a model's record rows,
    which then need no copy), else they are fresh arrays; the numbers are the same either way."""
    M = np.asarray(M, dtype=float)
    K = np.asarray(K, dtype=float)
    value_per_token = M ** market.gamma
    contest = market.contest_exponent
    shares = None
    if contest == market.gamma:
        # The contest weights M^lambda K are the value each lab serves, M^gamma K: their total is the
        # market's value, and the shares are each lab's part of it (when that total is a positive finite
        # number; else the rescaled weights below, which cannot overflow).
        served = value_per_token * K
        value = float(served.sum())
        if 0.0 < value < np.inf:
            shares = np.divide(served, value, out=None if into is None else into[0])
    else:
        value = float(np.dot(value_per_token, K))
    if shares is None:
        shares = split_shares(capability_weights(M, K, contest))
        if into is not None:
            into[0][...] = shares
            shares = into[0]
    tokens = float(K.sum())
    pool = float(market.pool(value, tokens, t, omega))
    revenue = np.empty_like(K) if into is None else into[1]
    if tokens <= 0.0:
        revenue[...] = 0.0
        return Clearing(0.0, 0.0, 0.0, 0.0, shares, revenue)
    return Clearing(pool / tokens, tokens, pool, value / tokens, shares, np.multiply(shares, pool, out=revenue))

