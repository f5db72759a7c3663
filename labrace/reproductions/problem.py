"""The single-lab problem of Troynikov's paper (seed 000), as a validated value.

``TroynikovCase`` holds the paper's parameters (eq. 1–3) and turns them into the solver's
:class:`~policies.optimal_control.LabProblem`: a monopoly with ``delta0 = 0`` earns exactly
``beta_R M^gamma (1 - alpha) C``, so the market's revenue function *is* the paper's eq. 2. Every number is
checked when the case is built, so a sweep that wanders out of range fails with the parameter's name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from labs.laws import LAWS
from labs.params import Validated, spec_field
from market.params import MarketParams
from policies.optimal_control import LabProblem
from policies.revenue import MarketRevenue

@dataclass(frozen=True)
class TroynikovCase(Validated):
    """The paper's base case by default: eps 0.5, gamma 2, rho 0.05, C = 100 e^{0.1 t}, T 10, M(0) 1."""

    epsilon: float = spec_field(0.5, "returns to training compute (eq. 1)", low=0.0, high=1.0,
                                low_open=True, high_open=True)
    gamma: float = spec_field(2.0, "return to capability in revenue (eq. 2)", low=0.0, low_open=True)
    rho: float = spec_field(0.05, "discount rate per year", low=0.0, low_open=True)
    growth: float = spec_field(0.1, "compute growth rate g per year", low=-1.0, high=2.0)
    compute0: float = spec_field(100.0, "compute C(0)", low=0.0, low_open=True)
    horizon: float = spec_field(10.0, "horizon T in years", low=0.0, low_open=True, high=1000.0)
    capability0: float = spec_field(1.0, "initial capability M(0)", low=0.0, low_open=True)
    beta_T: float = spec_field(1.0, "training productivity scale", low=0.0, low_open=True)
    beta_R: float = spec_field(1.0, "revenue scale (the market's omega)", low=0.0, low_open=True)

    def with_(self, **changes: Any) -> "TroynikovCase":
        """A copy with some parameters changed (validated again)."""
        return replace(self, **changes)

    @property
    def law_params(self) -> dict[str, float]:
        return {"beta_T": self.beta_T, "epsilon": self.epsilon, "capability0": self.capability0}

    def problem(self) -> LabProblem:
        """The optimal-control problem of eq. 3 for this case."""
        market = MarketParams.build(omega=self.beta_R, gamma=self.gamma)
        revenue = MarketRevenue(market, self.compute0, self.growth)
        return LabProblem(LAWS["power"], self.law_params, self.capability0, revenue, self.rho, 0.0,
                          self.horizon)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
