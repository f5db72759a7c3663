"""The seed paper's base case (model.md §5) as a labrace problem, and its scalar constants for the
independent formulations (:mod:`benchmarks.bvp`, :mod:`benchmarks.euler_sweep`).

beta_T = beta_R = 1, gamma = 2, epsilon = 0.5, rho = 0.05, C(t) = 100 e^{0.1 t}, T = 10, M(0) = 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from labs.laws import LAWS
from market.clearing import MarketParams
from policies.optimal_control import LabProblem
from policies.revenue import MarketRevenue


@dataclass(frozen=True)
class BaseCase:
    epsilon: float = 0.5
    gamma: float = 2.0
    discount: float = 0.05
    growth: float = 0.1
    compute0: float = 100.0
    horizon: float = 10.0
    capability0: float = 1.0

    def problem(self) -> LabProblem:
        """The monopoly problem in labrace's own terms (power law, separable revenue)."""
        law_params = {"beta_T": 1.0, "epsilon": self.epsilon, "capability0": self.capability0}
        revenue = MarketRevenue(MarketParams(omega=1.0, gamma=self.gamma), self.compute0, self.growth)
        return LabProblem(LAWS["power"], law_params, self.capability0, revenue, self.discount, 0.0,
                          self.horizon)


BASE = BaseCase()
