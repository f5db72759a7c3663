"""One lab's stochastic control problem, reduced to one state by homogeneity, and its HJB solution.

A power-law lab (``dM/dt = beta_T (alpha C)^epsilon``) earning the separable revenue
``omega M^gamma (1 - alpha) C`` (no rival can affect it: model.md §2) faces labrace's shocks (model.md §4):
compute follows ``dC/C = g dt + sigma dW``, capability jumps by the factor ``1 + b`` at Poisson rate
``nu``, and the price scale is multiplied by a mean-one lognormal each step. The lab maximises expected
NPV, so its value is a function ``V(t, M, C)`` of time, capability and compute.

Homogeneity removes compute as a state. Scaling compute by ``k`` and capability by ``k^epsilon`` scales
the capability rate by ``k^epsilon`` and revenue by ``k^{1 + gamma epsilon}``, so
``V(t, M, C) = C^kappa v(t, y)`` with ``kappa = 1 + gamma epsilon`` and the single state
``y = ln M - epsilon ln C`` (capability relative to what compute alone would sustain). Substituting (Itô
for ``C^kappa``; the factor tilts the compute drift by ``kappa sigma^2``) gives the equation solved here:

    v_t + max_alpha [omega e^{gamma y} (1 - alpha) + beta_T alpha^epsilon e^{-y} v_y]
        - epsilon (g + sigma^2 (2 kappa - 1) / 2) v_y + (epsilon sigma)^2 / 2 v_yy
        - (rho - kappa g - kappa (kappa - 1) sigma^2 / 2) v + nu (v(t, y + ln(1 + b)) - v) = 0,  v(T, y) = 0.

The maximand is the law's separable Hamiltonian at unit compute, so the pointwise argmax is the law's
closed form (Troynikov's eq. 7 for the power law) with serving value ``omega e^{gamma y}`` and costate
``e^{-y} v_y``. Demand noise does not enter: it multiplies a step's revenue by a mean-one factor drawn
after the decision, so it leaves expected revenue and hence the policy unchanged. Above the grid the
lab does not train and ``v`` grows like ``e^{gamma y}``; below it the value no longer depends on the
(negligible) starting capability, so the boundary slopes are ``gamma`` and 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from scipy.stats import poisson

from labs.laws import CapabilityLaw
from market.config import ShockParams
from policies.stochastic.scheme import Coefficients, Differences, HJBSolution, solve_hjb

Array = np.ndarray

TAIL_SIGMAS = 5.0  # the grid holds compute within this many standard deviations of its log over the plan
JUMP_TAIL = 1e-6  # ... and all but this probability of the breakthroughs
PAD = 0.05  # extra room on each side, as a fraction of the range


def reduction_applies(law: CapabilityLaw, separable_revenue: bool) -> str:
    """Why the one-state reduction does not apply to a lab ("" when it does)."""
    if not separable_revenue:
        return "revenue depends on rivals or on total supply (the reduction needs omega M^gamma (1 - alpha) C)"
    if not law.balanced_growth or law.separable_argmax is None or law.training_elasticity is None:
        return f"the {law.name} law's rate is not a power of compute in capability itself"
    return ""


@dataclass(frozen=True)
class NormalisedLab:
    """The reduced HJB problem of one lab on the grid ``y`` (a :class:`~policies.stochastic.scheme.ControlledProblem`)."""

    law: CapabilityLaw
    law_params: Mapping[str, float]
    omega: float
    gamma: float
    growth: float
    discount: float
    shocks: ShockParams
    y: Array

    @property
    def epsilon(self) -> float:
        one = np.ones(1)
        return float(self.law.training_elasticity(one, one, self.law_params)[0])

    @property
    def degree(self) -> float:
        """``kappa = 1 + gamma epsilon``: the value's degree of homogeneity in compute."""
        return 1.0 + self.gamma * self.epsilon

    @property
    def rate(self) -> float:
        """The value's effective discount: ``rho`` less the expected growth of ``C^kappa`` (may be negative)."""
        k, g, s = self.degree, self.growth, self.shocks.compute_noise
        return self.discount - k * g - 0.5 * k * (k - 1.0) * s ** 2

    @property
    def drift(self) -> float:
        """The drift of ``y`` when the lab does not train, under the compute-tilted measure."""
        g, s = self.growth, self.shocks.compute_noise
        return -self.epsilon * (g + 0.5 * s ** 2 * (2.0 * self.degree - 1.0))

    @property
    def jump_rate(self) -> float:
        return self.shocks.breakthrough_rate

    @property
    def jump_shift(self) -> float:
        return float(np.log1p(self.shocks.breakthrough_size))

    @property
    def slope_low(self) -> float:
        return 0.0

    @property
    def slope_high(self) -> float:
        return self.gamma

    def terminal(self) -> Array:
        return np.zeros_like(self.y)

    def best_control(self, t: float, d: Differences) -> Array:
        serving_value = self.omega * np.exp(self.gamma * self.y)
        costate = np.exp(-self.y) * np.maximum(d.forward, 0.0)
        return self.law.separable_argmax(serving_value, costate, 1.0, self.law_params)

    def coefficients(self, t: float, alpha: Array) -> Coefficients:
        training = self.law.rate(alpha, 1.0, self.law_params) * np.exp(-self.y)
        drift = self.drift
        return Coefficients(reward=self.omega * np.exp(self.gamma * self.y) * (1.0 - alpha),
                            up=training + max(drift, 0.0), down=np.full(self.y.size, max(-drift, 0.0)),
                            diffusion=np.full(self.y.size, 0.5 * (self.epsilon * self.shocks.compute_noise) ** 2))


def normalised_state(capability: Array | float, compute: Array | float, epsilon: float) -> Array:
    """``y = ln M - epsilon ln C``."""
    return np.log(capability) - epsilon * np.log(compute)


def state_range(capability: float, compute: float, epsilon: float, law: CapabilityLaw,
                law_params: Mapping[str, float], growth: float, span: float,
                shocks: ShockParams) -> tuple[float, float]:
    """The range of ``y`` a lab starting at (M, C) can reach in ``span`` years, but for tiny tails.

    Capability never falls, so ``y`` is lowest when compute grows fastest and the lab never trains;
    it is highest when the lab trains flat out with compute at its highest, gets the breakthroughs of
    the upper tail and compute then ends at its lowest.
    """
    noise = TAIL_SIGMAS * shocks.compute_noise * np.sqrt(span)
    y0 = float(normalised_state(capability, compute, epsilon))
    low = y0 - epsilon * (max(growth, 0.0) * span + noise)
    fastest = compute * np.exp(noise)
    gain = float(law.gain(np.ones(1), np.array([fastest]), max(growth, 0.0), span, law_params)[0])
    jumps = poisson.ppf(1.0 - JUMP_TAIL, shocks.breakthrough_rate * span) if shocks.breakthrough_rate > 0 else 0
    top = np.log(capability + gain) + jumps * np.log1p(shocks.breakthrough_size)
    high = top - epsilon * (np.log(compute) + min(growth, 0.0) * span - noise)
    pad = PAD * (high - low)
    return low - pad, high + pad


@dataclass(frozen=True)
class LabPlan:
    """A lab's feedback policy from ``t0`` to the horizon: the HJB solution and how to read it.

    ``t`` and ``alpha`` are the policy along the path on which no shock happens (what the lab expects
    to do if nothing surprises it; the visualiser draws it as the plan).
    """

    problem: NormalisedLab
    solution: HJBSolution
    t: Array
    alpha: Array

    @property
    def epsilon(self) -> float:
        return self.problem.epsilon

    def covers(self, capability: float, compute: float) -> bool:
        y = float(normalised_state(capability, compute, self.epsilon))
        return bool(self.solution.y[0] <= y <= self.solution.y[-1])

    def training_share(self, t: float, capability: float, compute: float) -> float:
        """The training share at time ``t`` and state (M, C)."""
        return float(self.solution.control_at(t, normalised_state(capability, compute, self.epsilon)))

    def value(self, capability: float, compute: float) -> float:
        """Expected NPV from ``t0`` on (discounted to ``t0``) of a lab at (M, C): ``C^kappa v(t0, y)``."""
        y = normalised_state(capability, compute, self.epsilon)
        return float(compute ** self.problem.degree * self.solution.value_at(y))


def solve_lab(law: CapabilityLaw, law_params: Mapping[str, float], omega: float, gamma: float, growth: float,
              discount: float, shocks: ShockParams, capability: float, compute: float, t0: float, t_end: float,
              points: int, steps_per_year: int, tol: float = 1e-10) -> LabPlan:
    """Solve the lab's reduced HJB equation on ``points`` states and ``steps_per_year`` time steps a year."""
    p = dict(law_params)
    one = np.ones(1)
    epsilon = float(law.training_elasticity(one, one, p)[0])
    span = t_end - t0
    low, high = state_range(capability, compute, epsilon, law, p, growth, span, shocks)
    problem = NormalisedLab(law, p, omega, gamma, growth, discount, shocks, np.linspace(low, high, points))
    steps = max(1, int(np.ceil(span * steps_per_year)))
    solution = solve_hjb(problem, t0, t_end, steps, tol=tol)
    return LabPlan(problem, solution, solution.t, _shock_free_alpha(problem, solution, capability, compute))


def _shock_free_alpha(problem: NormalisedLab, solution: HJBSolution, capability: float, compute: float) -> Array:
    """The feedback policy on the solution's time levels along the path with no shocks.

    Without shocks ``y`` moves at ``rate(alpha, 1) e^{-y} - epsilon g`` (the law's rate at unit compute);
    each level's step advances it with that level's control.
    """
    t = solution.t
    y = float(normalised_state(capability, compute, problem.epsilon))
    alpha = np.empty(t.size)
    for n in range(t.size):
        alpha[n] = np.interp(y, solution.y, solution.control[n])
        if n + 1 < t.size:
            rate = float(problem.law.rate(np.array([alpha[n]]), 1.0, problem.law_params)[0])
            y += (t[n + 1] - t[n]) * (rate * np.exp(-y) - problem.epsilon * problem.growth)
    return alpha

