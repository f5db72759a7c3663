"""Hao & Merrill's (2026) profit problem of an LLM firm, as labrace reconstructs it, solved two ways.

The firm chooses parameters n, training tokens d and inference tokens t to maximise

    pi(n, d, t) = omega t f(q) - delta t^2 - (6 n d + 2 n t) / E,    q = min(a n^alpha, b d^beta),

quasilinear demand (inverse demand omega f(q) - delta t) over a Leontief quality law, with training costing
6nd and serving 2n FLOP per token at E FLOP per money unit. Consumers adopt when quality passes their
threshold, thresholds having density proportional to q^-(1 + gamma), so the value of quality is
f(q) = (1 - q^-gamma) / gamma (ln q at gamma = 0; q - 1 at gamma = -1). ``d <= D`` is the data-bound regime.

:func:`solve_numerically` maximises pi over all three choices with a derivative-free search that knows
nothing of the structure below; :func:`solve_on_the_ray` is the semi-closed form it is checked against:
at an optimum no quality is wasted (a n^alpha = b d^beta, the Leontief ray), t is the quadratic's vertex,
and n solves a one-dimensional first-order condition (or sits at the data cap's kink).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import brentq, minimize

from labs.params import ParameterError, Validated, spec_field


@dataclass(frozen=True)
class ProfitProblem(Validated):
    """One firm's problem; the defaults are labrace's reference case (see ``docs`` of each field)."""

    alpha: float = spec_field(0.3, "parameter exponent of quality a n^alpha", low=0.0, low_open=True, high=1.0)
    beta: float = spec_field(0.3, "data exponent of quality b d^beta", low=0.0, low_open=True, high=1.0)
    gamma: float = spec_field(0.0, "shape of the adoption-threshold density q^-(1+gamma)", low=-3.0, high=3.0)
    omega: float = spec_field(1e-6, "price scale: money per token per unit of f(q)", low=0.0, low_open=True)
    delta: float = spec_field(1e-26, "slope of inverse demand, money per token^2", low=0.0, low_open=True)
    a: float = spec_field(1.0, "parameter efficiency", low=0.0, low_open=True)
    b: float = spec_field(20.0 ** -0.3, "data efficiency (default: 20 tokens per parameter on the ray)",
                          low=0.0, low_open=True)
    efficiency: float = spec_field(1e18, "hardware efficiency E, FLOP per money unit", low=0.0, low_open=True)
    data_cap: float | None = spec_field(None, "training tokens available D (omit: compute-bound)", low=0.0,
                                        low_open=True, optional=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        if 1.0 + self.alpha * self.gamma <= 0.0:
            raise ParameterError("gamma", f"1 + alpha gamma = {1 + self.alpha * self.gamma:g} must be positive "
                                 "(otherwise quality's value grows faster than inference cost and pi is unbounded)",
                                 f"gamma > {-1.0 / self.alpha:g}")

    def with_(self, **changes: Any) -> "ProfitProblem":
        return replace(self, **changes)

    def quality(self, n: Any, d: Any) -> Any:
        return np.minimum(self.a * n ** self.alpha, self.b * d ** self.beta)

    def value(self, q: Any) -> Any:
        """f(q): the share of consumers whose quality threshold q lies below the model's."""
        if self.gamma == 0.0:
            return np.log(q)
        return -np.expm1(-self.gamma * np.log(q)) / self.gamma

    def profit(self, n: Any, d: Any, t: Any) -> Any:
        if self.data_cap is not None:
            d = np.minimum(d, self.data_cap)
        q = self.quality(n, d)
        return (self.omega * t * self.value(q) - self.delta * t * t
                - (6.0 * n * d + 2.0 * n * t) / self.efficiency)

    @property
    def tokens_per_parameter(self) -> float:
        """d / n on the Leontief ray when alpha = beta, ``(a / b)^(1 / alpha)`` (20 by default)."""
        return (self.a / self.b) ** (1.0 / self.alpha)

    def ray_tokens(self, n: Any) -> Any:
        """The d that matches n's quality: a n^alpha = b d^beta."""
        return (self.a * n ** self.alpha / self.b) ** (1.0 / self.beta)

    def market_size(self) -> float:
        """mu = 1 / (6 alpha rho delta E): above 1 inference cost limits the model, below 1 training cost does.

        Comparing the two limits of the first-order condition (labrace's derivation, gamma = -1 exactly,
        gamma = 0 up to a factor ln q) gives this ratio; the theorems' exponents hold for mu >> 1.
        """
        return 1.0 / (6.0 * self.alpha * self.tokens_per_parameter * self.delta * self.efficiency)


@dataclass(frozen=True)
class ProfitOptimum:
    """An optimum: the three choices, profit, training spend 6nd/E, and how it was found."""

    n: float
    d: float
    t: float
    profit: float
    training_spend: float
    method: str
    evaluations: int = 0

    @classmethod
    def at(cls, problem: ProfitProblem, n: float, d: float, t: float, method: str,
           evaluations: int = 0) -> "ProfitOptimum":
        return cls(n, d, t, float(problem.profit(n, d, t)), 6.0 * n * d / problem.efficiency, method, evaluations)

    def as_dict(self) -> dict[str, float | str]:
        return {"n": self.n, "d": self.d, "t": self.t, "profit": self.profit, "training_spend": self.training_spend,
                "method": self.method, "evaluations": self.evaluations}


GRID_LOGS = np.linspace(0.0, 80.0, 41)
"""Where the global search starts: ln n, ln d, ln t on a grid of 41 levels each (1 to 5.5e34)."""


def solve_numerically(problem: ProfitProblem, restarts: int = 8) -> ProfitOptimum:
    """Maximise pi by a coarse grid over (ln n, ln d, ln t), then Nelder–Mead restarted from its own result.

    Nothing of the optimum's structure is used (no first-order condition, no ray). The search runs in
    coordinates (ln n, ln(b d^beta / a n^alpha), ln t), in which the Leontief kink (the ridge where both
    terms of the min are equal) is the plane where the second coordinate is 0: a simplex then straddles
    the ridge instead of zigzagging along it. Each restart begins with a fresh simplex, sized by the last
    move, until a restart no longer moves the point.
    """
    p = problem
    logs = GRID_LOGS
    n, d, t = np.meshgrid(np.exp(logs), np.exp(logs), np.exp(logs), indexing="ij", sparse=True)
    with np.errstate(all="ignore"):
        grid = p.profit(n, d, t)
    best = np.unravel_index(np.nanargmax(grid), grid.shape)
    ln_n, ln_d, ln_t = logs[best[0]], logs[best[1]], logs[best[2]]
    gap0 = math.log(p.b / p.a)

    def unpack(z: np.ndarray) -> tuple[float, float, float]:
        ln_d = (z[1] - gap0 + p.alpha * z[0]) / p.beta
        return math.exp(z[0]), math.exp(ln_d), math.exp(z[2])

    x = np.array([ln_n, gap0 + p.beta * ln_d - p.alpha * ln_n, ln_t])
    scale = max(abs(float(np.nanmax(grid))), 1e-300)

    def objective(z: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = p.profit(*unpack(z))
        return -value / scale if math.isfinite(value) else math.inf

    evaluations = int(grid.size)
    step = 1.0
    for _ in range(restarts):
        simplex = np.vstack([x, x + np.diag(np.full(3, step))])
        result = minimize(objective, x, method="Nelder-Mead",
                          options={"initial_simplex": simplex, "xatol": 1e-12, "fatol": 1e-17, "maxiter": 20000,
                                   "maxfev": 6000})
        evaluations += int(result.nfev)
        moved = float(np.max(np.abs(result.x - x)))
        x = result.x
        step = max(10.0 * moved, 1e-4)
        if moved < 1e-10:
            break
    n_, d_, t_ = unpack(x)
    if p.data_cap is not None:
        d_ = min(d_, p.data_cap)
    return ProfitOptimum.at(p, n_, d_, t_, "grid + restarted Nelder–Mead", evaluations)


def large_market_size(problem: ProfitProblem) -> float:
    """n where the marginal value of quality per token meets the marginal inference cost 2/E.

    omega f'(q) dq/dn = 2 / E with f'(q) q = q^-gamma gives n^(1 + alpha gamma) = omega alpha a^-gamma E / 2.
    Every optimum lies below it (the condition is necessary for serving to pay), and the optimum tends to it
    as the market grows (delta -> 0): it is the bound Hao and Merrill's compute-bound theorems state.
    """
    p = problem
    return (p.omega * p.alpha * p.a ** -p.gamma * p.efficiency / 2.0) ** (1.0 / (1.0 + p.alpha * p.gamma))


def _ray_slope(problem: ProfitProblem, n: float) -> float:
    """d pi / d n along the Leontief ray with t at its vertex (positive below the optimum)."""
    p = problem
    q = p.a * n ** p.alpha
    margin = p.omega * p.value(q) - 2.0 * n / p.efficiency  # price net of inference cost, = 2 delta t
    marginal = p.omega * q ** -p.gamma * p.alpha / n - 2.0 / p.efficiency
    training = 6.0 * (1.0 + p.alpha / p.beta) * p.ray_tokens(n) / p.efficiency
    return margin * marginal / (2.0 * p.delta) - training


def solve_on_the_ray(problem: ProfitProblem) -> ProfitOptimum:
    """The optimum from the first-order condition on the Leontief ray (root by Brent's method in ln n).

    With a data cap, the ray's optimum stands if its d fits under the cap; otherwise the firm trains on
    all D tokens with the n that matches them, b D^beta = a n^alpha (more parameters add cost, no quality).
    """
    p = problem
    top = large_market_size(p)
    low = top
    while True:  # walk down from the bound to where profit still rises along the ray
        low *= 0.1
        q = p.a * low ** p.alpha
        if not p.omega * p.value(q) > 2.0 * low / p.efficiency:
            raise ValueError("serving never pays on the ray below the bound: no profitable model")
        if _ray_slope(p, low) > 0.0:
            break
    z = brentq(lambda s: _ray_slope(p, math.exp(s)), math.log(low), math.log(top) - 1e-15, xtol=1e-14, rtol=1e-15)
    n = math.exp(z)
    d = p.ray_tokens(n)
    method = "first-order condition on the Leontief ray"
    if p.data_cap is not None and d > p.data_cap:
        d = p.data_cap
        n = (p.b * d ** p.beta / p.a) ** (1.0 / p.alpha)
        method = "data cap's kink: d = D, a n^alpha = b D^beta"
    q = p.quality(n, d)
    t = (p.omega * p.value(q) - 2.0 * n / p.efficiency) / (2.0 * p.delta)
    return ProfitOptimum.at(p, n, d, t, method)


def fitted_exponent(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ln y against ln x."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def compute_bound_exponents(alpha: float, beta: float, gamma: float) -> dict[str, dict[str, float]]:
    """Exponents in E of n*, d* and training spend in the two limits of market size (labrace's derivation).

    Large market (the theorems): n ~ E^(1/(1+alpha gamma)), d ~ n^(alpha/beta), spend = 6nd/E. Small market
    (training cost binds, inference negligible): revenue ~ n^(-2 alpha gamma) against spend ~ n^(1+alpha/beta)/E
    gives n ~ E^(1/(1 + alpha/beta + 2 alpha gamma)) (at gamma = 0 up to a logarithm).
    """
    out = {}
    for name, n_exp in (("large_market", 1.0 / (1.0 + alpha * gamma)),
                        ("small_market", 1.0 / (1.0 + alpha / beta + 2.0 * alpha * gamma))):
        d_exp = n_exp * alpha / beta
        out[name] = {"n": n_exp, "d": d_exp, "training_spend": n_exp + d_exp - 1.0}
    return out


def data_bound_exponents(alpha: float, beta: float) -> dict[str, float]:
    """Training spend 6 (b/a)^(1/alpha) D^(1 + beta/alpha) / E: its exponents in D and E (Theorem 3)."""
    return {"D": 1.0 + beta / alpha, "E": -1.0}
