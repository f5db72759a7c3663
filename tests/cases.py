"""Shared test fixtures: the seed paper's base case written out from the paper, independent of labrace's
reproduction code (which the reproduction tests check against these numbers, not the other way round).

Troynikov (seed 000), eq. 1–3: dM/dt = beta_T (alpha C)^epsilon, revenue beta_R M^gamma (1 - alpha) C,
C = 100 e^{0.1 t}, discount 0.05, horizon 10, M(0) = 1, epsilon 0.5, gamma 2.
"""

from __future__ import annotations

from typing import Any

from labs.laws import LAWS
from market.params import MarketParams
from policies.optimal_control import LabProblem
from policies.revenue import MarketRevenue

SEED_BASE: dict[str, float] = {"epsilon": 0.5, "gamma": 2.0, "rho": 0.05, "growth": 0.1, "compute0": 100.0,
                               "horizon": 10.0, "capability0": 1.0, "beta_T": 1.0, "beta_R": 1.0}


def seed_numbers(**changes: float) -> dict[str, float]:
    """The base case's numbers with some changed (unknown names are a test bug, so they raise)."""
    unknown = set(changes) - set(SEED_BASE)
    if unknown:
        raise KeyError(f"not a base-case number: {sorted(unknown)}")
    return {**SEED_BASE, **changes}


def seed_law_params(**changes: float) -> dict[str, float]:
    c = seed_numbers(**changes)
    return {"beta_T": c["beta_T"], "epsilon": c["epsilon"], "capability0": c["capability0"]}


def seed_problem(market: MarketParams | None = None, **changes: Any) -> LabProblem:
    """The base case as an optimal-control problem (a monopoly with unsaturable demand unless ``market``)."""
    c = seed_numbers(**changes)
    market = market if market is not None else MarketParams.build(omega=c["beta_R"], gamma=c["gamma"])
    revenue = MarketRevenue(market, c["compute0"], c["growth"])
    return LabProblem(LAWS["power"], seed_law_params(**changes), c["capability0"], revenue, c["rho"], 0.0,
                      c["horizon"])
