"""Benchmark 4: tournament throughput — ``labrace tournament``'s executor against ``mesa.batch_run``.

Both play the runs of the shipped ``quick`` tournament (the same resolved configurations) with one and
then two worker processes, and the table reports runs per second of wall-clock time (the only clock that
sees parallel work). labrace's path is the tournament's own: batched tasks on a pool of workers forked
from a fork server (never copies of this process), results appended to a Parquet store.
``mesa.batch_run`` gets each configuration as a model parameter and runs it to the horizon with its usual
end-of-run data collection. In quick mode a few runs only.
"""

from __future__ import annotations

import tempfile
import time

import mesa
import numpy as np

from benchmarks.timing import measure
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from labrace.version import labrace_version
from labrace.tournaments.execute import batch_size_for, make_executor, play
from labrace.tournaments.plan import plan_runs, planning_labs
from labrace.tournaments.spec import load_tournament
from labrace.tournaments.store import ResultsStore


class BatchRunModel(RaceModel):
    """RaceModel with the keyword ``mesa.batch_run`` passes; the configuration already carries the seed."""

    def __init__(self, config: RaceConfig, rng: object = None) -> None:
        super().__init__(config)


def _labrace(tasks: list, workers: int, version: str) -> None:
    with tempfile.TemporaryDirectory() as directory, make_executor(workers) as executor:
        report = play(tasks, ResultsStore(directory), executor, version, batch_size_for(len(tasks), workers),
                      progress=False, cost=planning_labs)
    if report.new != len(tasks) or report.failed:
        raise RuntimeError(f"tournament benchmark: {report.failed} failed, {report.lost} lost runs")


def _batch_run(configs: list[RaceConfig], workers: int) -> None:
    results = mesa.batch_run(BatchRunModel, {"config": configs}, number_processes=workers,
                             max_steps=max(c.steps for c in configs) + 1, display_progress=False)
    if len(results) != len(configs):
        raise RuntimeError(f"batch_run returned {len(results)} results for {len(configs)} runs")


def run(quick: bool) -> dict:
    version = labrace_version()
    tasks = plan_runs(load_tournament("quick"), version)
    if quick:  # a few cheap runs, in-process only: a smoke test of both paths
        tasks = [t for t in tasks if not {"pontryagin", "myopic"} & set(t.lineup)][:2]
    configs = [t.config for t in tasks]
    # One pass is several seconds and this machine's speed drifts between passes, so every runner is
    # timed once per round, the rounds interleaved, and the median round reported.
    rounds = 1 if quick else 3
    plans = ((0, 1),) if quick else ((0, 1), (1, None), (2, 2))
    jobs = []
    for workers, batch_processes in plans:
        jobs.append(("labrace tournament", workers, lambda w=workers: _labrace(tasks, w, version)))
        if batch_processes is not None:
            label = batch_processes if batch_processes > 1 else "1 (in-process)"
            jobs.append(("mesa.batch_run", label, lambda b=batch_processes: _batch_run(configs, b)))
    samples: dict[int, list[float]] = {i: [] for i in range(len(jobs))}
    for _ in range(rounds):
        for i, (_, _, job) in enumerate(jobs):
            samples[i].append(measure(job, repeats=1, warmup=0, clock=time.perf_counter).median)
    rows = []
    for i, (runner, workers, _) in enumerate(jobs):
        median = float(np.median(samples[i]))
        rows.append({"runner": runner, "workers": workers, "runs": len(tasks), "median_s": median,
                     "runs_per_s": len(tasks) / median})
    rate = {(r["runner"], str(r["workers"])): r["runs_per_s"] for r in rows}
    ours_serial, theirs_serial = rate[("labrace tournament", "0")], rate[("mesa.batch_run", "1 (in-process)")]
    targets = [{"target": "labrace >= batch_run throughput, one process (in-process)",
                "measured": f"{ours_serial:.2f} vs {theirs_serial:.2f} runs/s", "met": ours_serial >= theirs_serial}]
    if not quick:
        ours2, theirs2 = rate[("labrace tournament", "2")], rate[("mesa.batch_run", "2")]
        speedup = ours2 / rate[("labrace tournament", "1")]
        targets += [{"target": "labrace >= batch_run throughput with 2 workers",
                     "measured": f"{ours2:.2f} vs {theirs2:.2f} runs/s", "met": ours2 >= theirs2},
                    {"target": ">= 1.7x throughput from 1 to 2 workers (labrace process pool)",
                     "measured": f"{speedup:.2f}x", "met": speedup >= 1.7}]
    description = (f"The shipped `quick` tournament ({len(tasks)} runs"
                   f"{', the first without planning or myopic entrants' if quick else ''}); wall-clock "
                   f"time of a pass, median of {rounds} interleaved rounds, including the worker pool's "
                   "start-up (labrace's fork server starts once per process, in the first pool that needs "
                   "it; batch_run forks its workers from this process). Workers 0 is labrace's in-process "
                   "executor; batch_run with one process also runs in-process.")
    return {"name": "tournament", "rows": rows, "targets": targets, "description": description}
