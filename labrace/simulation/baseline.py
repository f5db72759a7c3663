"""The baselines competition is measured against: each lab alone, and the same labs in a market where
they do not interact.

The shipped scenarios' claims ("NPV -10% each") compare a run with these, so ``labrace run --baseline``
computes them rather than leaving them to the reader. *Alone* is the lab by itself in the same market
(the same demand, contest and shocks, no rivals). *Independent* is every lab together in the market of
docs/model.md §2 where labs cannot affect each other: quasilinear demand with δ₀ = 0 and λ = γ, so each
lab earns its monopoly revenue ω M^γ K whatever its rivals do.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import pandas as pd

from market.config import RaceConfig
from market.params import MarketParams
from labrace.simulation.finite import OutOfRangeError

INDEPENDENT_DEMAND = {"demand": "quasilinear", "delta0": 0.0, "contest": None}
COLUMNS = ("lab", "npv", "alone_npv", "change_vs_alone", "independent_npv", "change_vs_independent")


def independent_market(market: MarketParams) -> MarketParams:
    """``market`` with the pool ω V and the split λ = γ: the market in which labs are independent."""
    return market.replace(**INDEPENDENT_DEMAND)


def alone(config: RaceConfig, index: int) -> RaceConfig:
    """``config`` with lab ``index`` as its only lab."""
    return replace(config, labs=(config.labs[index],))


def relative_change(value: float, reference: float) -> float | None:
    """``value / reference - 1``; ``None`` when the reference earned nothing (no change is defined)."""
    return value / reference - 1.0 if reference > 0 else None


def compare(config: RaceConfig, npv: pd.Series, run_npv: Callable[[RaceConfig], pd.Series]) -> pd.DataFrame:
    """One row per lab: its NPV in the run, alone, and with independent labs, and the relative changes.

    ``npv`` is the run's NPV per lab (indexed by name); ``run_npv`` runs a configuration and returns its
    NPV per lab, so the caller decides how runs are made (and the numbers match ``labrace run``'s).
    """
    try:
        independent = run_npv(replace(config, market=independent_market(config.market)))
    except OutOfRangeError:
        # Unsaturable demand can make a market without rivals explode (labs that reinvest profit in
        # compute grow without bound): that comparison is then undefined, the others stand.
        independent = pd.Series(float("nan"), index=[lab.name for lab in config.labs])
    rows = []
    for index, lab in enumerate(config.labs):
        by_itself = float(run_npv(alone(config, index))[lab.name])
        own, free = float(npv[lab.name]), float(independent[lab.name])
        rows.append({"lab": lab.name, "npv": own, "alone_npv": by_itself,
                     "change_vs_alone": relative_change(own, by_itself), "independent_npv": free,
                     "change_vs_independent": relative_change(own, free)})
    return pd.DataFrame(rows, columns=list(COLUMNS))
