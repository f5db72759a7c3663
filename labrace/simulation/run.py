"""Run one configuration to the horizon and summarise it: the unit every runner and tournament uses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from market.config import RaceConfig
from scenarios.units import Units
from labrace.simulation.baseline import compare
from labrace.simulation.columns import OUTCOME_TABLE
from labrace.simulation.finite import check_step
from labrace.simulation.seeds import SeedStudy, seed_study
from labrace.simulation.ties import leaders, tie_ranks, winner_text
from labrace.simulation.model import RaceModel
from labrace.version import labrace_version

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class RunResult:
    """Everything a run produced, with its provenance (configuration, key, version).

    ``labs``, ``market`` and ``outcomes`` have the columns of :mod:`labrace.simulation.columns`.
    Writing and plotting import their modules on first use: tournament workers import this module for
    :func:`lab_outcomes` and should not pay for matplotlib or the scenario writer.
    """

    config: RaceConfig
    key: str
    version: str
    labs: pd.DataFrame
    market: pd.DataFrame
    outcomes: pd.DataFrame
    description: str = ""
    baseline: pd.DataFrame | None = None
    seeds: SeedStudy | None = None
    units: Units | None = None
    """The scenario's real units (``[units]``), used only to translate outputs; ``None`` when it declares none."""

    @property
    def leaders(self) -> list[str]:
        """The labs with the highest NPV: one, or several when their NPVs are equal to rounding."""
        return leaders(self.outcomes["lab"], self.outcomes["npv"])

    @property
    def winner(self) -> str:
        """The lab with the highest NPV, or ``"tie between a and b"`` when several are equal to rounding."""
        return winner_text(self.leaders)

    def with_baseline(self, on_run: Callable[[], None] | None = None) -> "RunResult":
        """This result with :attr:`baseline`: each lab's NPV against itself alone and against independent labs.

        ``on_run`` is called after each of the extra runs (one per lab and one with independent labs).
        """
        def run_npv(config: RaceConfig) -> pd.Series:
            npv = run_config(config).outcomes.set_index("lab")["npv"]
            if on_run is not None:
                on_run()
            return npv

        npv = self.outcomes.set_index("lab")["npv"]
        return replace(self, baseline=compare(self.config, npv, run_npv))

    def with_seeds(self, n: int, on_run: Callable[[], None] | None = None) -> "RunResult":
        """This result with :attr:`seeds`: the outcomes of ``n`` seeds spawned from the scenario's seed."""
        def outcomes(config: RaceConfig) -> pd.DataFrame:
            frame = run_config(config).outcomes
            if on_run is not None:
                on_run()
            return frame

        return replace(self, seeds=seed_study(self.config, n, outcomes))

    def summary(self) -> dict[str, Any]:
        """The contents of ``summary.json``: per-lab outcomes, the winner and provenance."""
        from labrace.simulation.outputs import summary

        return summary(self)

    def save(self, out: str | Path, parquet: bool = False, figures: bool = True, force: bool = False) -> list[Path]:
        """Write what ``labrace run`` writes into ``out`` (replaced whole); returns the files written.

        A non-empty ``out`` that is not an earlier run's output is refused unless ``force``.
        """
        from labrace.simulation.outputs import write_run

        return write_run(self, Path(out), parquet=parquet, figures=figures, force=force)

    def plot(self) -> Figure:
        """One figure with the run's training share, capability, market share, NPV and price over time."""
        from labrace.simulation.figures import overview

        return overview(self)


def lab_outcomes(model: RaceModel) -> pd.DataFrame:
    """One row per lab with the columns of ``OUTCOMES``, measured on a finished model."""
    return pd.DataFrame(outcome_columns(model))


def outcome_columns(model: RaceModel) -> dict[str, Any]:
    """The columns of :func:`lab_outcomes` as arrays over labs (what a tournament row needs, without
    the DataFrame round trip that costs a cheap run a tenth of its time)."""
    rec = model.recorder
    k = rec.size
    s = model.state
    per_step = rec.labs["revenue"][:k]
    discount = np.exp(-np.outer(rec.t[:k], s.discount))
    earned = (per_step * discount).sum(axis=0)
    total = earned.sum()
    npv = s.npv.copy()
    measured = {
        "lab": s.names,
        "policy": rec.policies,
        "npv": npv,
        "final_capability": s.capability,
        "mean_alpha": rec.labs["alpha"][:k].mean(axis=0),
        "revenue_share": earned / total if total > 0 else np.zeros(s.n),
        "npv_profit": s.npv_profit if model.market_params.costs else s.npv,
        "rank": tie_ranks(npv),
    }
    return {name: measured[name] for name in OUTCOME_TABLE}


def play_to_horizon(config: RaceConfig, on_step: Callable[[int, int], None] | None = None) -> RaceModel:
    """A model of ``config`` stepped to its horizon; ``on_step(done, total)`` after every step (progress).

    Raises :class:`~labrace.simulation.finite.OutOfRangeError` at the first step whose numbers leave the
    floating-point range (numpy's own overflow warnings are silenced: that error says it in one line).
    Every way of running a configuration (``labrace run``, tournaments) goes through here.
    """
    model = RaceModel(config)
    total = config.steps
    with np.errstate(all="ignore"):
        while model.running:
            start = model.t
            model.step()
            check_step(model.state, model.last_clearing, start, model.t)
            if on_step is not None:
                on_step(model.steps, total)
    return model


def run_config(config: RaceConfig, on_step: Callable[[int, int], None] | None = None,
               description: str = "", units: Units | None = None) -> RunResult:
    """Run ``config`` to its horizon (see :func:`play_to_horizon`) and collect its tables and outcomes."""
    model = play_to_horizon(config, on_step)
    version = labrace_version()
    return RunResult(config=config, key=config.key(version), version=version, labs=model.labs_frame(),
                     market=model.market_frame(), outcomes=lab_outcomes(model), description=description,
                     units=units)
