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
    """``M^exponent K`` rescaled by a common factor so large exponents cannot overflow.

    Only ratios of these weights are used, so the common factor ``max(M)^-exponent`` changes nothing.
    """
    if not M.size:
        return np.zeros_like(K)
    return (M / M.max(axis=-1, keepdims=True)) ** exponent * K


def split_shares(weights: Array) -> Array:
    """Shares proportional to ``weights``; all zero when nobody has weight (nobody serves)."""
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
