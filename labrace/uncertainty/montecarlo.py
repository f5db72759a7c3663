"""``labrace run --samples N``: the Monte Carlo over a scenario's distributions, with intervals and fans.

Sample k draws every uncertain parameter and a run seed from child k of ``SeedSequence(seed).spawn(N)``
(the scenario's seed): the run seed exactly as ``--seeds`` derives it, the unit numbers from that
child's own child. Both are made in the parent before anything runs, so sample k is the same however many
samples are asked for, in whatever order, process or batch it is played. A scenario without
distributions gives the seed study of its shocks.

Outcomes are summarised per lab by the median and the 5%-95% interval over the samples (NPV, training
share, final capability, revenue share), and each lab's trajectories by their quantiles at every kept
time (fan charts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from labs.params import Param
from scenarios.limits import Limits
from scenarios.loader import Scenario
from labrace.simulation.seeds import INTERVAL, MEASURES, SeedStudy, spawn_seeds
from labrace.tournaments.execute import PlayReport
from labrace.uncertainty.samples import PATHS
from labrace.uncertainty.study import Study, check_count

SAMPLES = Param("--samples", 0, "Monte-Carlo samples of the scenario's distributions (0: a single run)",
                kind="int", low=0)
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def draw(seed: int, n: int, d: int) -> tuple[list[int], np.ndarray]:
    """Run seeds and unit numbers (n x d) of samples 0..n-1, each a function of ``seed`` and k alone."""
    seeds = spawn_seeds(seed, n)
    children = np.random.SeedSequence(seed).spawn(n)
    unit = np.array([np.random.default_rng(child.spawn(1)[0]).random(d) for child in children]).reshape(n, d)
    return seeds, unit


def monte_carlo_study(scenario: Scenario, n: int, limits: Limits = Limits()) -> Study:
    """The Monte Carlo's samples of ``scenario``: drawn, seeded and validated, none played yet."""
    n = check_count(SAMPLES.check(n), limits, "--samples")
    uncertainty = scenario.uncertainty
    d = len(uncertainty) if uncertainty is not None else 0
    seeds, unit = draw(scenario.config.seed, n, d)
    values = uncertainty.values(unit) if d else np.empty((n, 0))
    return Study.build(scenario, values, seeds)


def intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Per lab and outcome: median, 5%-95% interval and mean over the finished samples."""
    ok = frame[frame["status"] == "ok"]
    spread = SeedStudy(tuple(ok["seed"].unique()), ok[["seed", "lab", *MEASURES]]).spread()
    means = ok.groupby("lab", sort=False)[list(MEASURES)].mean()
    spread["mean"] = [means.loc[row.lab, row.measure] for row in spread.itertuples()]
    return spread


def fans(frame: pd.DataFrame) -> pd.DataFrame:
    """Per lab and trajectory: the quantiles :data:`FAN_QUANTILES` over the samples at each kept time.

    Samples can differ in horizon or step (when those are uncertain), so every trajectory is interpolated
    onto one grid of times that ends where the shortest sample does.
    """
    ok = frame[frame["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(columns=["lab", "quantity", "t", *[f"q{int(q * 100)}" for q in FAN_QUANTILES]])
    end = min(t[-1] for t in ok["path_t"])
    points = max(len(t) for t in ok["path_t"])
    grid = np.linspace(0.0, end, points)
    parts = []
    for lab, rows in ok.groupby("lab", sort=False):
        for quantity in PATHS:
            paths = np.array([np.interp(grid, t, y) for t, y in zip(rows["path_t"], rows[f"path_{quantity}"])])
            quantiles = np.quantile(paths, FAN_QUANTILES, axis=0)
            part = pd.DataFrame({"lab": lab, "quantity": quantity, "t": grid})
            for q, values in zip(FAN_QUANTILES, quantiles):
                part[f"q{int(q * 100)}"] = values
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


@dataclass
class MonteCarloResult:
    """A Monte Carlo's samples (one row per lab per sample), their intervals and fans, and what was played."""

    study: Study
    out: Path
    report: PlayReport
    samples: pd.DataFrame
    intervals: pd.DataFrame
    fans: pd.DataFrame

    @property
    def failed(self) -> int:
        return int((self.samples.drop_duplicates("sample")["status"] == "failed").sum())

    def summary(self) -> dict:
        """The study as plain data for ``summary.json``."""
        config = self.study.scenario.config
        uncertainty = self.study.scenario.uncertainty
        parameters = [{"name": p.name, "distribution": p.distribution.to_dict(),
                       "support": list(p.distribution.support), "median": p.distribution.nominal}
                      for p in (uncertainty.parameters if uncertainty is not None else ())]
        labs: dict[str, dict] = {}
        for row in self.intervals.itertuples(index=False):
            labs.setdefault(row.lab, {"lab": row.lab})[row.measure] = {
                "median": row.median, "low": row.low, "high": row.high, "mean": row.mean}
        counts = self.samples.drop_duplicates("sample")["status"].value_counts()
        return {
            "scenario": config.name,
            "description": self.study.scenario.description,
            "monte_carlo": {"samples": len(self.study.tasks), "ok": int(counts.get("ok", 0)),
                            "failed": int(counts.get("failed", 0)), "missing": int(counts.get("missing", 0)),
                            "interval": list(INTERVAL), "parameters": parameters, "labs": list(labs.values())},
            "provenance": {"labrace_version": self.study.version, "seed": config.seed,
                           "scenario_key": config.key(self.study.version), "steps": config.steps,
                           "horizon": config.horizon, "dt": config.dt, "end_time": config.end_time,
                           "sampler": "SeedSequence(seed).spawn(samples): run seed and unit numbers per sample"},
        }
