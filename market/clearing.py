"""Market clearing: the demand form's revenue pool, divided by relative capability (model.md §2).

All functions work on whole arrays of labs; nothing loops over labs in Python. The pool is a function of
the market's total value ``V = sum M_i^gamma K_i`` and total tokens ``T = sum K_i`` only (the demand
form's contract, :mod:`market.demand.base`); lab ``i``'s share of it is ``M_i^lambda K_i / sum_j M_j^lambda K_j``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.params import MarketParams

Array = np.ndarray


@dataclass(frozen=True)
class Clearing:
    """Outcome of one clearing: market-level scalars and per-lab arrays."""

    price: float
    tokens: float
    pool: float
    quality: float
    shares: Array
    revenue: Array


def capability_weights(M: Array, K: Array, exponent: float) -> Array:
    """``M^exponent K`` rescaled by a common factor so that no exponent can overflow or underflow them all.

    Only ratios of these weights are used, so any common factor changes nothing. The factor is
    ``M_lead^-exponent`` for the most capable lab *that serves* (``K > 0``), computed in log space: the
    leading server's weight is then exactly its ``K`` and every other weight is at most its own ``K``,
    so the total is positive whenever anyone serves, however large the exponent. Rescaling by the most
    capable lab overall would underflow every weight once that lab stops serving. Labs that do not
    serve weigh nothing; a lab of capability 0 weighs nothing unless the exponent is 0.
    """
    if not M.size:
        return np.zeros_like(K)
    if exponent != 0.0 and K.min() > 0.0 and M.min() > 0.0:
        # Everyone serves, with a positive capability: when it is finite too, the general form below reduces
        # to this (the same operations on the same numbers), without its masks.
        log_M = np.log(M)
        if log_M.ndim == 1:  # one market: a scalar lead, no broadcasting
            lead = log_M.max()
            finite = lead < np.inf
        else:
            lead = log_M.max(axis=-1, keepdims=True)
            finite = (lead < np.inf).all()
        if finite:
            return np.exp(exponent * (log_M - lead)) * K
    serving = K > 0
    capacity = np.where(serving, K, 0.0)
    if exponent == 0.0:
        return capacity
    with np.errstate(divide="ignore"):
        log_M = np.log(M)
    lead = np.max(np.where(serving, log_M, -np.inf), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        gap = np.where(np.isneginf(lead), 0.0, log_M - lead)  # servers all of capability 0 are tied
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


def clear(M: Array, K: Array, t: float, market: MarketParams, omega: float | None = None) -> Clearing:
    """Clear the market for capabilities ``M`` and serving capacities ``K`` (arrays over labs)."""
    M = np.asarray(M, dtype=float)
    K = np.asarray(K, dtype=float)
    value_per_token = M ** market.gamma
    value = float(np.dot(value_per_token, K))
    tokens = float(K.sum())
    pool = float(market.pool(value, tokens, t, omega))
    shares = split_shares(capability_weights(M, K, market.contest_exponent))
    if tokens <= 0.0:
        return Clearing(0.0, 0.0, 0.0, 0.0, shares, np.zeros_like(K))
    return Clearing(pool / tokens, tokens, pool, value / tokens, shares, shares * pool)
