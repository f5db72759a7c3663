"""The agent-based model reproduces the optimum: one Pontryagin lab in :class:`RaceModel`.

The model books revenue at the state at the start of each step, so its NPV approaches the continuous
optimum at first order in the step; this measures that approach for the base case.
"""

from __future__ import annotations

from typing import Any, Sequence

from labs.spec import LabSpec
from market.params import MarketParams
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from labrace.reproductions.problem import TroynikovCase


def case_config(case: TroynikovCase, dt: float) -> RaceConfig:
    """A one-lab run of ``case`` with the Pontryagin policy (a monopoly with unsaturable demand)."""
    lab = LabSpec.build("troynikov", compute0=case.compute0, growth=case.growth, discount=case.rho,
                        law_params=case.law_params, policy="pontryagin")
    return RaceConfig(labs=(lab,), market=MarketParams.build(omega=case.beta_R, gamma=case.gamma),
                      horizon=case.horizon, dt=dt, name="troynikov")


def model_convergence(case: TroynikovCase, optimum_npv: float,
                      steps: Sequence[float] = (0.1, 0.05, 0.01)) -> dict[str, Any]:
    """Model NPV and final capability for each step length, with the relative gap to the optimum."""
    rows = {}
    for dt in steps:
        model = RaceModel(case_config(case, dt)).run()
        npv = float(model.state.npv[0])
        rows[f"{dt:g}"] = {"npv": npv, "relative_gap": (optimum_npv - npv) / optimum_npv,
                           "final_capability": float(model.state.capability[0])}
    return rows
