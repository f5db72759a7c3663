"""One sampled run as a task and the worker's job: play a batch of them into rows of the samples store.

A Monte-Carlo or sensitivity study is a list of :class:`SampleTask` s (a fully resolved configuration
each, drawn and seeded in the parent before anything runs), played by the tournaments' ``play`` loop on
any executor into a :class:`~labrace.tournaments.store.ResultsStore` with :data:`SCHEMA`: one row per lab
per sample with its outcomes and its trajectory at :data:`PATH_POINTS` times (for fan charts). A run that
raises is a result (``status`` failed, with the error); every row is a pure function of its task, so the
stored numbers do not depend on the executor, the worker count or the batching.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from market.config import RaceConfig
from labrace.simulation.columns import OUTCOME_NUMBERS
from labrace.simulation.model import RaceModel
from labrace.simulation.run import lab_outcomes, play_to_horizon

STORE = "samples.parquet"
"""The samples store's folder inside a study's output directory."""
PATH_POINTS = 51
"""Times (evenly spread over the run's steps, first and last included) at which a sample's trajectory is kept."""
PATHS = ("alpha", "capability", "share", "npv")
"""Per-step lab columns kept as trajectories (``path_<name>``), with their times ``path_t``."""

_LIST = pa.list_(pa.float64())
SCHEMA = pa.schema([
    ("key", pa.string()), ("sample", pa.int64()), ("seed", pa.int64()), ("seat", pa.int64()),
    ("lab", pa.string()), ("policy", pa.string()),
    *[(name, pa.float64()) for name in OUTCOME_NUMBERS],
    ("status", pa.string()), ("error", pa.string()), ("version", pa.string()),
    ("path_t", _LIST), *[(f"path_{name}", _LIST) for name in PATHS],
])


@dataclass(frozen=True)
class SampleTask:
    """Sample ``sample`` of a study: its configuration (parameters drawn, seed set) and the key of its rows."""

    key: str
    sample: int
    config: RaceConfig


def path_rows(steps: int, points: int = PATH_POINTS) -> np.ndarray:
    """The step indices kept: ``points`` spread evenly from the first to the last step (fewer if shorter)."""
    return np.unique(np.round(np.linspace(0, steps - 1, min(points, steps))).astype(int))


def _paths(model: RaceModel) -> list[dict[str, list[float]]]:
    """Each lab's trajectory at the kept steps."""
    recorder = model.recorder
    rows = path_rows(recorder.size)
    t = recorder.t[rows].tolist()
    return [{"path_t": t, **{f"path_{name}": recorder.labs[name][rows, lab].tolist() for name in PATHS}}
            for lab in range(len(model.config.labs))]


def _rows(task: SampleTask, version: str) -> list[dict[str, Any]]:
    meta = {"key": task.key, "sample": task.sample, "seed": task.config.seed, "version": version}
    try:
        model = play_to_horizon(task.config)
        outcomes = lab_outcomes(model).to_dict("records")
        paths = _paths(model)
    except Exception as error:  # noqa: BLE001 - a failed sample is a result, not a crash
        text = "".join(traceback.format_exception_only(error)).strip()
        return [{**meta, "seat": seat, "lab": lab.name, "policy": lab.policy.label(), "status": "failed",
                 "error": text, **{c: math.nan for c in OUTCOME_NUMBERS}, "path_t": [],
                 **{f"path_{name}": [] for name in PATHS}}
                for seat, lab in enumerate(task.config.labs)]
    return [{**meta, "seat": seat, "lab": row["lab"], "policy": row["policy"], "status": "ok", "error": "",
             **{c: float(row[c]) for c in OUTCOME_NUMBERS}, **paths[seat]}
            for seat, row in enumerate(outcomes)]


def run_samples(tasks: list[SampleTask], version: str) -> list[dict[str, Any]]:
    """The worker's job: play every sample of the batch, one row per lab."""
    return [row for task in tasks for row in _rows(task, version)]
