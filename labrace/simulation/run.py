"""Run one configuration to the horizon and summarise it: the unit every runner and tournament uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from labrace.version import labrace_version


@dataclass
class RunResult:
    """Everything a run produced, with its provenance (configuration, key, version)."""

    config: RaceConfig
    key: str
    version: str
    labs: pd.DataFrame
    market: pd.DataFrame
    outcomes: pd.DataFrame


def lab_outcomes(model: RaceModel) -> pd.DataFrame:
    """One row per lab: final NPV, final capability, mean alpha, share of all revenue earned, rank."""
    rec = model.recorder
    k = rec.size
    s = model.state
    per_step = rec.labs["revenue"][:k]
    discount = np.exp(-np.outer(rec.t[:k], s.discount))
    earned = (per_step * discount).sum(axis=0)
    total = earned.sum()
    frame = pd.DataFrame({
        "lab": s.names,
        "policy": rec.policies,
        "npv": s.npv,
        "final_capability": s.capability,
        "mean_alpha": rec.labs["alpha"][:k].mean(axis=0),
        "revenue_share": earned / total if total > 0 else np.zeros(s.n),
    })
    frame["rank"] = frame["npv"].rank(ascending=False, method="min").astype(int)
    return frame


def run_config(config: RaceConfig, on_step: Callable[[int, int], None] | None = None) -> RunResult:
    """Run ``config`` to its horizon; ``on_step(done, total)`` is called after every step (progress)."""
    model = RaceModel(config)
    total = config.steps
    while model.running:
        model.step()
        if on_step is not None:
            on_step(model.steps, total)
    version = labrace_version()
    return RunResult(config=config, key=config.key(version), version=version, labs=model.labs_frame(),
                     market=model.market_frame(), outcomes=lab_outcomes(model))
