"""Replications of a stochastic scenario over many seeds, with medians and 90% intervals per lab.

A single seed of a scenario with shocks says little about what the scenario does. The seeds of a study
are spawned from the scenario's own seed with numpy's ``SeedSequence`` before anything runs, so run ``k``
of ``labrace run --seeds N`` is the same run however many seeds are asked for, in whatever order or
process they are played.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from labs.params import Param
from market.config import RaceConfig

SEEDS = Param("--seeds", 0, "number of seeds spawned from the scenario's seed (0: no seed study)", kind="int",
              low=0, high=10_000)
INTERVAL = (0.05, 0.95)
"""Quantiles of the reported interval: the middle 90% of the seeds' outcomes."""
MEASURES = ("npv", "final_capability", "mean_alpha", "revenue_share")


def spawn_seeds(seed: int, n: int) -> list[int]:
    """``n`` seeds derived from ``seed``: independent streams, each a 63-bit integer a scenario accepts."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


@dataclass(frozen=True)
class SeedStudy:
    """Every seed's outcomes (``table``: a ``seed`` column and the outcome columns) and their spread."""

    seeds: tuple[int, ...]
    table: pd.DataFrame

    def spread(self) -> pd.DataFrame:
        """Per lab and measure: the median and the 90% interval over the seeds."""
        low, high = INTERVAL
        grouped = self.table.groupby("lab", sort=False)[list(MEASURES)]
        rows = []
        for lab, frame in grouped:
            for measure in MEASURES:
                values = frame[measure].to_numpy(dtype=float)
                rows.append({"lab": lab, "measure": measure, "median": float(np.median(values)),
                             "low": float(np.quantile(values, low)), "high": float(np.quantile(values, high))})
        return pd.DataFrame(rows)

    def summary(self) -> dict:
        """The study as plain data for ``summary.json``."""
        labs: dict[str, dict] = {}
        for row in self.spread().itertuples(index=False):
            labs.setdefault(row.lab, {"lab": row.lab})[row.measure] = {
                "median": row.median, "low": row.low, "high": row.high}
        return {"count": len(self.seeds), "interval": list(INTERVAL), "seeds": list(self.seeds),
                "labs": list(labs.values())}


def seed_study(config: RaceConfig, n: int, outcomes: Callable[[RaceConfig], pd.DataFrame]) -> SeedStudy:
    """Run ``config`` once per spawned seed; ``outcomes`` runs a configuration and returns its outcomes."""
    seeds = tuple(spawn_seeds(config.seed, SEEDS.check(n)))
    frames = [outcomes(replace(config, seed=seed)).assign(seed=seed) for seed in seeds]
    table = pd.concat(frames, ignore_index=True)
    return SeedStudy(seeds, table[["seed", *[c for c in table.columns if c != "seed"]]])
