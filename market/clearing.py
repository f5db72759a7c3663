"""Market clearing: quasilinear inverse demand, revenue divided by relative capability (model.md §2).

All functions work on whole arrays of labs; nothing loops over labs in Python. Two demand forms share one
structure — the revenue pool is a function of the market's total value ``V = sum M_i^gamma K_i`` and total
tokens ``T = sum K_i`` only — which is what lets a planning lab evaluate its own revenue from its rivals'
aggregates (see :func:`revenue_pool`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

import numpy as np

from labs.params import Param, resolve_params

Array = np.ndarray

MARKET_PARAMS: dict[str, Param] = {
    "omega": Param("omega", 1.0, "price scale: value of one token of quality 1 (beta_R)", low=0.0,
                   low_open=True),
    "gamma": Param("gamma", 2.0, "return to capability in the value per token f(M) = M^gamma",
                   low=0.0, low_open=True),
    "contest": Param("contest", None, "contest exponent lambda of the revenue split (omit: = gamma)",
                     low=0.0, optional=True),
    "demand": Param("demand", "quasilinear", "inverse demand form", kind="choice",
                    choices=("quasilinear", "capacity")),
    "delta0": Param("delta0", 0.0, "quasilinear demand slope delta(0) (0: unsaturable demand)", low=0.0),
    "capacity0": Param("capacity0", 1000.0, "capacity demand: tokens at which the price hits zero, D(0)",
                       low=0.0, low_open=True),
    "demand_growth": Param("demand_growth", 0.0, "growth rate g_d of demand (delta shrinks, D grows)"),
}


@dataclass(frozen=True)
class MarketParams:
    """Parameters of the market; see ``MARKET_PARAMS`` for meanings and ranges."""

    omega: float = 1.0
    gamma: float = 2.0
    contest: float | None = None
    demand: str = "quasilinear"
    delta0: float = 0.0
    capacity0: float = 1000.0
    demand_growth: float = 0.0

    def __post_init__(self) -> None:
        resolve_params(MARKET_PARAMS, {f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, given: Mapping[str, Any], prefix: str = "market") -> "MarketParams":
        return cls(**resolve_params(MARKET_PARAMS, given, prefix))

    @property
    def contest_exponent(self) -> float:
        """lambda, defaulting to gamma (each lab is paid for its own value per token)."""
        return self.gamma if self.contest is None else self.contest


@dataclass(frozen=True)
class Clearing:
    """Outcome of one clearing: market-level scalars and per-lab arrays."""

    price: float
    tokens: float
    pool: float
    quality: float
    shares: Array
    revenue: Array


def demand_slope(t: Array | float, market: MarketParams) -> Array | float:
    """Quasilinear demand's slope ``delta(t) = delta0 exp(-g_d t)``: demand growth flattens it."""
    if market.demand_growth == 0.0:  # exp(0) is exactly 1: skip it, it is a third of a clearing
        return market.delta0
    return market.delta0 * np.exp(-market.demand_growth * np.asarray(t, dtype=float))


def demand_capacity(t: Array | float, market: MarketParams) -> Array:
    """Capacity demand's ``D(t) = D0 exp(g_d t)``: the tokens at which the price reaches zero."""
    return market.capacity0 * np.exp(market.demand_growth * np.asarray(t, dtype=float))


def revenue_pool(value: Array, tokens: Array, t: Array | float, market: MarketParams,
                 omega: Array | float | None = None) -> Array:
    """Revenue pool ``P T`` from total value ``V = sum M^gamma K`` and tokens ``T``.

    Quasilinear (Hao–Merrill): ``P = omega q - delta(t) T`` with ``q = V / T``, so ``P T = omega V -
    delta T^2``. Capacity form: ``P = omega q (1 - T / D(t))``, so ``P T = omega V (1 - T / D)``.
    The price is floored at zero, hence so is the pool.
    """
    w = market.omega if omega is None else omega
    if market.demand == "quasilinear":
        delta = demand_slope(t, market)
        return np.maximum(0.0, w * value - delta * tokens * tokens)
    return w * value * np.maximum(0.0, 1.0 - tokens / demand_capacity(t, market))


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
    pool = float(revenue_pool(value, tokens, t, market, omega))
    shares = split_shares(capability_weights(M, K, market.contest_exponent))
    if tokens <= 0.0:
        return Clearing(0.0, 0.0, 0.0, 0.0, shares, np.zeros_like(K))
    return Clearing(pool / tokens, tokens, pool, value / tokens, shares, shares * pool)
