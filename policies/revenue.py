"""A single lab's revenue as a function of its own capability, training share and time.

The optimal-control solver needs ``R(M, alpha, t)`` and ``dR/dM`` for one lab. In the market of model.md §2
a lab's revenue depends on its rivals only through three aggregates — their total value ``sum M^gamma K``,
their total tokens ``sum K`` and their contest weight ``sum M^lambda K`` — so a forecast of those three
time series turns the competitive market into a revenue function the solver can use. With no rivals it is
the monopoly revenue; with ``delta0 = 0`` and ``lambda = gamma`` it is exactly ``omega M^gamma (1 - alpha) C``
whatever the rivals do (model.md §2), which is when the closed-form Hamiltonian maximiser applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from market.clearing import MarketParams, demand_capacity, demand_slope, revenue_pool

Array = np.ndarray


def remember_for_grid(memo: dict[str, tuple[Any, Any]], key: str, t: Array, make: Callable[[Array], Any]) -> Any:
    """``make(t)``, remembered in ``memo`` for the last ``t`` array seen under ``key``.

    A solver sweep evaluates revenue, its derivatives and the discount factor dozens of times on one time
    grid (the Hamiltonian maximiser bisects 52 times); terms that depend on time alone are the same each
    time. Grids are never modified in place, so the array's identity is the key; the memo holds the
    array, so the identity cannot be reused by another one.
    """
    hit = memo.get(key)
    if hit is not None and hit[0] is t:
        return hit[1]
    value = make(t)
    memo[key] = (t, value)
    return value


@dataclass(frozen=True)
class RivalPath:
    """Rivals' aggregates on a time grid (linear interpolation in between, constant beyond)."""

    t: Array
    value: Array
    tokens: Array
    log_weight: Array

    @classmethod
    def none(cls) -> "RivalPath":
        zero = np.zeros(1)
        return cls(zero, zero, zero, np.full(1, -np.inf))

    @classmethod
    def of_labs(cls, t: Array, M: Array, K: Array, gamma: float, contest: float) -> "RivalPath":
        """Aggregates of rivals with capability ``M`` and capacity ``K`` (rivals x times) on times ``t``.

        The contest weight is kept as a log-sum-exp, shifted by its maximum, so that a large contest
        exponent cannot overflow.
        """
        with np.errstate(divide="ignore"):
            log_terms = contest * np.log(M) + np.log(K)
            top = np.max(log_terms, axis=0, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)
            log_weight = np.squeeze(top, 0) + np.log(np.sum(np.exp(log_terms - top), axis=0))
        return cls(t=t, value=np.sum(M ** gamma * K, axis=0), tokens=np.sum(K, axis=0), log_weight=log_weight)

    @property
    def empty(self) -> bool:
        return not np.any(self.tokens > 0)

    def at(self, t: Array) -> tuple[Array, Array, Array]:
        if t is self.t:  # the forecast was made on the solver's grid: its own values, no interpolation
            return self.value, self.tokens, self.log_weight
        if self.t.size == 1:
            shape = np.shape(t)
            return (np.full(shape, self.value[0]), np.full(shape, self.tokens[0]),
                    np.full(shape, self.log_weight[0]))
        finite = np.where(np.isfinite(self.log_weight), self.log_weight, -1e300)
        log_weight = np.interp(t, self.t, finite)
        return (np.interp(t, self.t, self.value), np.interp(t, self.t, self.tokens),
                np.where(log_weight < -1e299, -np.inf, log_weight))


@dataclass(frozen=True)
class MarketRevenue:
    """Revenue of one lab with compute ``C(t) = compute0 exp(growth (t - t0))`` facing ``rivals``."""

    market: MarketParams
    compute0: float
    growth: float
    t0: float = 0.0
    rivals: RivalPath = RivalPath.none()
    _memo: dict[str, tuple[Any, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _on_times(self, key: str, t: Array, make: Callable[[Array], Any]) -> Any:
        return remember_for_grid(self._memo, key, t, make)

    def compute(self, t: Array) -> Array:
        return self._on_times("compute", t, lambda s: self.compute0 * np.exp(
            self.growth * (np.asarray(s, dtype=float) - self.t0)))

    def _rivals_at(self, t: Array) -> tuple[Array, Array, Array]:
        return self._on_times("rivals", t, self.rivals.at)

    def _capability_terms(self, M: Array, t: Array) -> tuple[Array, Array, Array]:
        """``M^gamma``, ``lambda log M`` and the rivals' contest weight per unit of own serving, ``W / M^lambda``.

        They do not depend on alpha, and the Hamiltonian maximiser holds ``M`` (the same array) and ``t``
        fixed while it bisects on alpha, so they are remembered for the last ``(M, t)`` pair, by identity
        as for :meth:`_on_times`.
        """
        hit = self._memo.get("capability")
        if hit is not None and hit[0] is M and hit[1] is t:
            return hit[2]
        m = self.market
        _, _, rival_log_weight = self._rivals_at(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            contest_log_M = m.contest_exponent * np.log(M)
        terms = (M ** m.gamma, contest_log_M, np.exp(np.minimum(rival_log_weight - contest_log_M, 700.0)))
        self._memo["capability"] = (M, t, terms)
        return terms

    @property
    def separable(self) -> bool:
        """True when ``R = omega M^gamma (1 - alpha) C`` exactly (rivals cannot affect this lab)."""
        m = self.market
        independent = m.demand == "quasilinear" and m.delta0 == 0.0
        return independent and (self.rivals.empty or m.contest_exponent == m.gamma)

    def _parts(self, M: Array, alpha: Array, t: Array):
        m = self.market
        K = (1.0 - alpha) * self.compute(t)
        rival_value, rival_tokens, rival_log_weight = self._rivals_at(t)
        value_per_token, contest_log_M, _ = self._capability_terms(M, t)
        own_value = value_per_token * K
        value = own_value + rival_value
        tokens = K + rival_tokens
        pool = revenue_pool(value, tokens, t, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_own = contest_log_M + np.log(K)
            share = np.where(K > 0, 1.0 / (1.0 + np.exp(np.minimum(rival_log_weight - log_own, 700.0))), 0.0)
        return K, value, tokens, pool, share

    def __call__(self, M: Array, alpha: Array, t: Array) -> Array:
        if self.separable:
            return self.market.omega * M ** self.market.gamma * (1.0 - alpha) * self.compute(t)
        _, _, _, pool, share = self._parts(M, alpha, t)
        return pool * share

    def dM(self, M: Array, alpha: Array, t: Array) -> Array:
        """``dR/dM``: more value per token raises the pool, and a larger contest weight raises the share."""
        m = self.market
        if self.separable:
            return self.market.omega * m.gamma * M ** (m.gamma - 1.0) * (1.0 - alpha) * self.compute(t)
        K, value, tokens, pool, share = self._parts(M, alpha, t)
        if m.demand == "quasilinear":
            dpool_dvalue = np.where(pool > 0, m.omega, 0.0)
        else:
            capacity = self._on_times("capacity", t, lambda s: demand_capacity(s, m))
            dpool_dvalue = m.omega * np.maximum(0.0, 1.0 - tokens / capacity)
        dvalue_dM = m.gamma * M ** (m.gamma - 1.0) * K
        dshare_dM = m.contest_exponent / M * share * (1.0 - share)
        return share * dpool_dvalue * dvalue_dM + pool * dshare_dM

    def dalpha(self, M: Array, alpha: Array, t: Array) -> Array:
        """``dR/dalpha = -C dR/dK``: serving less shrinks own value, eases congestion and cedes share."""
        m = self.market
        C = self.compute(t)
        if self.separable:
            return -m.omega * M ** m.gamma * C * np.ones_like(alpha)
        K, value, tokens, pool, share = self._parts(M, alpha, t)
        value_per_token, _, rival_per_own = self._capability_terms(M, t)
        if m.demand == "quasilinear":
            delta = self._on_times("delta", t, lambda s: demand_slope(s, m))
            dpool_dK = np.where(pool > 0, m.omega * value_per_token - 2.0 * delta * tokens, 0.0)
        else:
            capacity = self._on_times("capacity", t, lambda s: demand_capacity(s, m))
            open_market = tokens < capacity
            dpool_dK = np.where(open_market, m.omega * value_per_token * (1.0 - tokens / capacity)
                                - m.omega * value / capacity, 0.0)
        # d share / dK = s (1 - s) / K, written so that it stays finite as K -> 0.
        with np.errstate(divide="ignore", invalid="ignore"):
            dshare_dK = (1.0 - share) / (K + rival_per_own)
        dshare_dK = np.where(np.isfinite(dshare_dK), dshare_dK, 0.0)
        return -C * (share * dpool_dK + pool * dshare_dK)
