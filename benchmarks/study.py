"""Benchmark 5: a realistic study — ten policies, every duopoly line-up, three noisy scenarios, three seeds.

The tournament file ``benchmarks/tournaments/realistic_study.toml`` (900 runs) is played through
labrace's own executor with two worker processes into a fresh results store, and the table reports
wall-clock runs per second and how many runs had a plan that did not converge (the store's
``plans_not_converged`` column). The same runs are then played again with one worker and another batch
size, and the two stores must hold bit-identical outcomes: results may not depend on the worker count
or the batching. In quick mode a handful of runs with the planning entrants, one worker each time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd

from labrace.simulation.columns import OUTCOME_NUMBERS
from labrace.tournaments.execute import batch_size_for, make_executor, play
from labrace.tournaments.plan import plan_runs, planning_labs
from labrace.tournaments.spec import load_tournament
from labrace.tournaments.store import ResultsStore
from labrace.version import labrace_version

STUDY = Path(__file__).resolve().parent / "tournaments" / "realistic_study.toml"
TARGET_RUNS_PER_S = 50.0


def _play(tasks: list, workers: int, batch: int, version: str) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as directory:
        store = ResultsStore(directory)
        start = time.perf_counter()
        with make_executor(workers) as executor:
            report = play(tasks, store, executor, version, batch, progress=False, cost=planning_labs)
        seconds = time.perf_counter() - start
        if report.new != len(tasks) or report.failed:
            raise RuntimeError(f"study benchmark: {report.failed} failed, {report.lost} lost runs: {report.errors[:3]}")
        frame = store.read().sort_values(["key", "seat"]).reset_index(drop=True)
    return seconds, frame


def run(quick: bool) -> dict:
    version = labrace_version()
    tasks = plan_runs(load_tournament(STUDY), version)
    if quick:
        tasks = [t for t in tasks if {"nash", "myopic"} & set(t.lineup) and "pontryagin" not in t.lineup][:: 40][:3]
    workers = (0, 0) if quick else (2, 1)
    first_batch = batch_size_for(len(tasks), workers[0])
    seconds, frame = _play(tasks, workers[0], first_batch, version)
    again_s, again = _play(tasks, workers[1], max(1, first_batch // 2 + 1), version)
    columns = ["key", "seat", *OUTCOME_NUMBERS]
    identical = frame[columns].equals(again[columns])
    bad_runs = int((frame.groupby("key")["plans_not_converged"].sum() > 0).sum())
    planners = frame[frame["plans"] > 0]
    rows = [{"workers": workers[0], "batch": first_batch, "runs": len(tasks), "seconds": seconds,
             "runs_per_s": len(tasks) / seconds, "runs_with_non_converged_plan": bad_runs,
             "plans": int(frame["plans"].sum()), "plans_not_converged": int(frame["plans_not_converged"].sum()),
             "worst_plan_residual": float(planners["plan_residual"].max()) if len(planners) else 0.0},
            {"workers": workers[1], "batch": max(1, first_batch // 2 + 1), "runs": len(tasks),
             "seconds": again_s, "runs_per_s": len(tasks) / again_s, "identical_to_first": identical}]
    rate = rows[0]["runs_per_s"]
    targets = [{"target": "outcomes bit-identical for another worker count and batch size",
                "measured": "identical" if identical else "DIFFERENT", "met": identical},
               {"target": "no run of the study with a non-converged plan",
                "measured": f"{bad_runs} of {len(tasks)} runs", "met": bad_runs == 0}]
    if not quick:
        targets.insert(0, {"target": f"realistic study >= {TARGET_RUNS_PER_S:g} runs/s on 2 workers",
                           "measured": f"{rate:.2f} runs/s ({len(tasks)} runs in {seconds:.1f} s)",
                           "met": rate >= TARGET_RUNS_PER_S})
    description = (f"`benchmarks/tournaments/realistic_study.toml`: {len(tasks)} runs"
                   f"{' (a sample with planning entrants, in-process)' if quick else ''}; wall-clock time "
                   "including the worker pool's start-up.")
    return {"name": "study", "rows": rows, "targets": targets, "description": description}
