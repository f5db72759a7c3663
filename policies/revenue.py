"""A single lab's revenue as a function of its own capability, training share and time.

The optimal-control solver needs ``R(M, alpha, t)`` and its derivatives for one lab. In the market of
model.md §2 a lab's revenue depends on its rivals only through three aggregates — their total value
``sum M^gamma K``, their total tokens ``sum K`` and their contest weight ``sum M^lambda K`` — so a
forecast of those three time series turns the competitive market into a revenue function the solver can
use. With no rivals it is the monopoly revenue; when the demand form is independent (e.g. ``delta0 = 0``)
and ``lambda = gamma`` it is exactly ``omega M^gamma (1 - alpha) C`` whatever the rivals do (model.md §2),
which is when a law's closed-form Hamiltonian maximiser applies.

Evaluation is staged, so that nothing is recomputed and nothing needs remembering: a solver fixes a time
grid (:meth:`MarketRevenue.on_grid` computes compute, the rivals' aggregates and the demand condition
there once), then a state (:meth:`RevenueGrid.at` computes the alpha-free capability terms once), and
then evaluates revenue and its derivatives for as many training shares as it likes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.params import MarketParams

Array = np.ndarray


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
        return not (np.asarray(self.tokens) > 0).any()

    def at(self, t: Array) -> tuple[Array, Array, Array]:
        """Value, tokens and log contest weight at times ``t``."""
        t = np.asarray(t, dtype=float)
        if t.shape == self.t.shape and np.array_equal(t, self.t):  # forecast on the solver's own grid
            return self.value, self.tokens, self.log_weight
        if self.t.size == 1:
            shape = np.shape(t)
            return (np.full(shape, self.value[0]), np.full(shape, self.tokens[0]),
                    np.full(shape, self.log_weight[0]))
        finite = np.where(np.isfinite(self.log_weight), self.log_weight, -1e300)
        log_weight = np.interp(t, self.t, finite)
        return (np.interp(t, self.t, self.value), np.interp(t, self.t, self.tokens),
                np.where(log_weight < -1e299, -np.inf, log_weight))


def take_points(value: object, index: Array, n: int) -> object:
    """``value`` at the grid points ``index`` if it is an array over the ``n`` points, else unchanged.

    Lets a root finder shrink its work to the points still unresolved: time-only and per-point terms
    are arrays whose last axis is the grid, while parameters shared by all points are scalars.
    """
    if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == n:
        return value[index] if value.ndim == 1 else value[..., index]
    return value


@dataclass(frozen=True)
class MarketRevenue:
    """Revenue of one lab with compute ``C(t) = compute0 exp(growth (t - t0))`` facing ``rivals``."""

    market: MarketParams
    compute0: float | Array
    growth: float | Array
    t0: float = 0.0
    rivals: RivalPath = RivalPath.none()

    def compute(self, t: Array) -> Array:
        return self.compute0 * np.exp(self.growth * (np.asarray(t, dtype=float) - self.t0))

    @property
    def separable(self) -> bool:
        """True when ``R = omega M^gamma (1 - alpha) C`` exactly (rivals cannot affect this lab)."""
        m = self.market
        return m.independent and (self.rivals.empty or m.contest_exponent == m.gamma)

    def on_grid(self, t: Array) -> "RevenueGrid":
        """This revenue on the fixed times ``t``, with every time-only term computed once."""
        return RevenueGrid(self, np.asarray(t, dtype=float))


class RevenueGrid:
    """A lab's revenue on fixed times: compute, rivals' aggregates and the demand condition there."""

    def __init__(self, revenue: MarketRevenue, t: Array) -> None:
        self.market = revenue.market
        self.separable = revenue.separable
        self.t = t
        self.compute = revenue.compute(t)
        self.alone = revenue.rivals.empty
        # The compute bill (docs/model.md §7) does not depend on alpha or capability: it is subtracted from
        # revenue, so every NPV is an NPV of profit, and no derivative changes.
        self.cost = self.market.unit_price(t) * self.compute if self.market.costs else None
        if not self.separable:
            self.rival_value, self.rival_tokens, self.rival_log_weight = revenue.rivals.at(t)
            self.condition = self.market.condition(t)

    def take(self, index: Array) -> "RevenueGrid":
        """This grid at the points ``index`` only (every per-point array indexed, scalars kept)."""
        sub = object.__new__(RevenueGrid)
        n = self.t.shape[-1] if np.ndim(self.t) else 1
        for name, value in vars(self).items():
            setattr(sub, name, take_points(value, index, n))
        return sub

    def at(self, M: Array, serving: Array | float = 1.0) -> "RevenueAt":
        """Revenue at capability ``M`` (an array broadcastable against the grid), for any alpha.

        ``serving`` is the tokens one unit of serving compute yields (the law's ``serving``; 1 for most).
        """
        return RevenueAt(self, M, serving)

    def __call__(self, M: Array, alpha: Array, serving: Array | float = 1.0) -> Array:
        return self.at(M, serving).revenue(alpha)

    def dM(self, M: Array, alpha: Array, serving: Array | float = 1.0) -> Array:
        return self.at(M, serving).dM(alpha)

    def dalpha(self, M: Array, alpha: Array, serving: Array | float = 1.0) -> Array:
        return self.at(M, serving).dalpha(alpha)


class RevenueAt:
    """Revenue at a fixed capability on a fixed grid: the alpha-free terms, then functions of alpha.

    ``M^gamma``, ``lambda log M`` and the rivals' contest weight per unit of own serving, ``W / M^lambda``,
    do not depend on alpha; a Hamiltonian maximiser evaluates many alphas at one state.
    """

    def __init__(self, grid: RevenueGrid, M: Array, serving: Array | float = 1.0) -> None:
        m = grid.market
        self.grid = grid
        self.M = M
        self.serving = serving
        self.compute = grid.compute * serving  # tokens a lab serving all its compute would offer
        self.value_per_token = M ** m.gamma
        if not grid.separable:
            with np.errstate(divide="ignore", invalid="ignore"):
                contest_log_M = m.contest_exponent * np.log(M)
            self.rival_per_own = np.exp(np.minimum(grid.rival_log_weight - contest_log_M, 700.0))

    def take(self, index: Array, grid: RevenueGrid) -> "RevenueAt":
        """These terms at the points ``index`` only, on ``grid`` (the same grid taken at ``index``)."""
        sub = object.__new__(RevenueAt)
        n = self.grid.t.shape[-1] if np.ndim(self.grid.t) else 1
        for name, value in vars(self).items():
            setattr(sub, name, take_points(value, index, n))
        sub.grid = grid
        return sub

    def _parts(self, alpha: Array) -> tuple[Array, Array, Array, Array, Array, Array]:
        """Own serving K, the market's value and tokens, the pool, the contest share and its denominator."""
        g = self.grid
        K = (1.0 - alpha) * self.compute
        value = self.value_per_token * K + g.rival_value
        tokens = K + g.rival_tokens
        pool = g.market.form.pool(value, tokens, g.condition, g.market.omega)
        # The contest share M^lambda K / (M^lambda K + W), divided through by M^lambda: no log or exp of
        # alpha's terms, as the rivals' weight per unit of own serving is computed once.
        contest = K + self.rival_per_own
        share = np.divide(K, contest, out=np.zeros(np.shape(contest)), where=K > 0)
        return K, value, tokens, pool, share, contest

    def revenue(self, alpha: Array) -> Array:
        """Revenue at ``alpha``; with costs on, profit (revenue minus the compute bill)."""
        g = self.grid
        if g.separable:
            earned = g.market.omega * self.value_per_token * (1.0 - alpha) * self.compute
        else:
            *_, pool, share, _ = self._parts(alpha)
            earned = pool * share
        return earned if g.cost is None else earned - g.cost

    def dM(self, alpha: Array) -> Array:
        """``dR/dM``: more value per token raises the pool, and a larger contest weight raises the share."""
        g = self.grid
        m = g.market
        if g.separable:
            return m.omega * m.gamma * self.M ** (m.gamma - 1.0) * (1.0 - alpha) * self.compute
        K, value, tokens, pool, share, _ = self._parts(alpha)
        dpool_dvalue, _ = m.form.pool_derivatives(value, tokens, g.condition, m.omega)
        dvalue_dM = m.gamma * self.M ** (m.gamma - 1.0) * K
        dshare_dM = m.contest_exponent / self.M * share * (1.0 - share)
        return share * dpool_dvalue * dvalue_dM + pool * dshare_dM

    def dalpha(self, alpha: Array) -> Array:
        """``dR/dalpha = -C dR/dK``: serving less shrinks own value, eases congestion and cedes share."""
        g = self.grid
        m = g.market
        if g.separable:
            return -m.omega * self.value_per_token * self.compute * np.ones_like(alpha)
        K, value, tokens, pool, share, contest = self._parts(alpha)
        dpool_dvalue, dpool_dtokens = m.form.pool_derivatives(value, tokens, g.condition, m.omega)
        dpool_dK = dpool_dvalue * self.value_per_token + dpool_dtokens
        # d share / dK = s (1 - s) / K, written so that it stays finite as K -> 0 (and 0 for a lab alone
        # that serves nothing).
        dshare_dK = np.divide(1.0 - share, contest, out=np.zeros(np.shape(contest)), where=contest > 0)
        return -self.compute * (share * dpool_dK + pool * dshare_dK)

    def dserving(self, alpha: Array) -> Array:
        """``dR/dsigma`` at tokens per unit of serving compute ``sigma``: ``(1 - alpha) C dR/dK``."""
        return -(1.0 - alpha) / self.serving * self.dalpha(alpha)
