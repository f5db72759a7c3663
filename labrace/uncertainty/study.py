"""Playing a list of sampled runs into a resumable store and reading them back as one frame.

The Monte Carlo of ``labrace run --samples`` and the design of ``labrace sensitivity`` are both a list of
:class:`~labrace.uncertainty.samples.SampleTask` s; this module plays those not yet stored, with the
tournaments' machinery: the output directory claimed (lock, write test, free space), damaged parts set
aside, batches on any executor, each stored as it completes, Ctrl-C keeping what finished. Running the
same study again plays nothing; a larger Monte Carlo plays only the new samples (sample k does not depend
on how many are asked for).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from labs.params import Param, ParameterError
from scenarios.limits import Limits
from scenarios.loader import Scenario
from labrace.simulation.destination import check_destination, is_run_output
from labrace.tournaments.destination import claim_output, needed_bytes
from labrace.tournaments.execute import PlayReport, batch_size_for, make_executor, play
from labrace.tournaments.store import ResultsStore
from labrace.uncertainty.samples import PATH_POINTS, PATHS, SCHEMA, STORE, SampleTask, run_samples
from labrace.version import labrace_version

WORKERS = Param("--workers", 0, "worker processes (0: in this process)", kind="int", low=0, high=4096)
PATH_BYTES = (len(PATHS) + 1) * PATH_POINTS * 8
"""A stored row's trajectories, on top of the tournament's generous per-row size."""


def warn(note: str) -> None:
    print(note, file=sys.stderr)


def check_count(n: int, limits: Limits, option: str) -> int:
    """``n`` runs, or an error on ``option`` naming ``--max-samples`` when above ``limits.samples``."""
    if n > limits.samples:
        raise ParameterError(option, f"{n:,} runs are more than the limit of {limits.samples:,}",
                             f"fewer, or a deliberately higher {Limits.option('samples')}")
    return n


def check_study_destination(out: Path, force: bool = False) -> None:
    """A study may write into a new or empty folder, its own earlier (or interrupted) output, or the output
    of an earlier single run (which it replaces); anything else needs ``force``, as for ``labrace run``."""
    if (out / STORE).is_dir():
        return
    check_destination(out, force)
    if out.is_dir() and is_run_output(out):
        shutil.rmtree(out)


@dataclass(frozen=True)
class Study:
    """A scenario's sampled runs: ``values[k]`` are sample k's parameter values (columns ``names``)."""

    scenario: Scenario
    names: tuple[str, ...]
    values: np.ndarray
    tasks: tuple[SampleTask, ...]
    version: str

    @classmethod
    def build(cls, scenario: Scenario, values: np.ndarray, seeds: Sequence[int], what: str = "sample") -> "Study":
        """Sample k at ``values[k]`` with seed ``seeds[k]``, each validated like a written scenario."""
        version = labrace_version()
        uncertainty = scenario.uncertainty
        names = tuple(uncertainty.names) if uncertainty is not None else ()
        tasks = []
        for k, (row, seed) in enumerate(zip(values, seeds, strict=True)):
            if names:
                config = uncertainty.config(row, seed, what=f"{what} {k} ({_values_text(names, row)})")
            else:
                config = replace(scenario.config, seed=int(seed))
            tasks.append(SampleTask(config.key(version), k, config))
        return cls(scenario, names, np.asarray(values, dtype=float).reshape(len(tasks), len(names)),
                   tuple(tasks), version)

    def plan(self) -> pd.DataFrame:
        """One row per sample: its index, key, seed and parameter values."""
        frame = pd.DataFrame({"sample": [t.sample for t in self.tasks], "key": [t.key for t in self.tasks],
                              "seed": [t.config.seed for t in self.tasks]})
        for j, name in enumerate(self.names):
            frame[name] = self.values[:, j]
        return frame

    def play(self, out: Path, workers: int = 0, progress: bool = True, desc: str = "samples",
             notify: Callable[[str], None] = warn) -> tuple[PlayReport, pd.DataFrame]:
        """Play the samples missing from ``out``'s store; returns what this call did and every sample's rows
        (one per lab per sample, in sample order; status ``missing`` for a sample not stored)."""
        workers = WORKERS.check(workers)
        tasks = list(self.tasks)
        batch = batch_size_for(len(tasks), workers)
        need = needed_bytes(tasks, batch) + sum(len(t.config.labs) for t in tasks) * PATH_BYTES
        store = ResultsStore(out, STORE, SCHEMA)
        with claim_output(out, need, STORE, what="study"):
            for note in store.check():
                notify(str(note))
            with make_executor(workers) as executor:
                report = play(tasks, store, executor, self.version, batch, progress=progress, work=run_samples,
                              desc=desc)
            rows = store.read()
        return report, self._frame(rows)

    def _frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        plan = self.plan()
        numbers = rows.drop(columns=["sample", "seed", "version"])
        frame = plan.merge(numbers, on="key", how="left")
        frame["status"] = frame["status"].fillna("missing")
        frame["error"] = frame["error"].fillna("")
        return frame.sort_values(["sample", "seat"], kind="stable").reset_index(drop=True)


def _values_text(names: Sequence[str], row: Sequence[float]) -> str:
    return ", ".join(f"{name} = {value:.6g}" for name, value in zip(names, row))
