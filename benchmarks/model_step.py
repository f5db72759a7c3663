"""Benchmark 2: a whole run of the model against the numpy loop (the limit) and a naive Mesa model.

For each population size the three implementations run the same configuration
(:func:`benchmarks.population.mixed_config`, 100 steps, data collection on), interleaved so that
background load hits all three alike; the table reports medians and the ratios to the numpy loop, and the
largest relative difference of any recorded variable between the model and the loop (they implement the
same equations independently, so it should be rounding).
"""

from __future__ import annotations

import numpy as np

from benchmarks.naive_mesa import NaiveModel
from benchmarks.numpy_loop import RECORDED, run_numpy
from benchmarks.population import mixed_config
from benchmarks.timing import measure, reuse_freed_memory
from market.config import RaceConfig
from labrace.simulation.model import RaceModel

TARGETS = {2: 2.0, 1000: 1.3, 10000: 1.3}
GROWTH_LIMIT = 1.3  # time per lab-step may grow at most this much from 1,000 to 10,000 labs


def max_rel_difference(config: RaceConfig) -> float:
    """Largest relative difference between the model's records and the numpy loop's, over every variable."""
    model = RaceModel(config).run()
    limit = run_numpy(config)
    worst = 0.0
    for name in RECORDED:
        ours, ref = model.recorder.labs[name], limit[name]
        scale = np.maximum(np.abs(ref), np.finfo(float).tiny)
        worst = max(worst, float(np.max(np.abs(ours - ref) / scale)))
    return worst


def _naive_rel_difference(config: RaceConfig) -> float:
    naive = NaiveModel(config).run()
    limit = run_numpy(config)
    return max(float(np.max(np.abs(naive.records(name) - limit[name])
                            / np.maximum(np.abs(limit[name]), np.finfo(float).tiny))) for name in RECORDED)


def run(quick: bool) -> dict:
    steady = reuse_freed_memory()  # see there: page faults would otherwise decide the ratios
    sizes = (2, 10) if quick else (2, 10, 100, 1000, 10000)
    steps = 20 if quick else 100
    rows = []
    for n in sizes:
        config = mixed_config(n, steps)
        budget = 0.2 if quick else 4.0
        first = measure(lambda: RaceModel(config).run(), repeats=1, warmup=0).median
        repeats = max(3, min(15, int(budget / max(first, 1e-4))))
        run_numpy(config), RaceModel(config).run(), NaiveModel(config).run()  # warm caches and imports
        times = {"numpy": [], "labrace": [], "naive": []}
        for _ in range(repeats):  # interleaved, a few samples each per round
            times["numpy"].append(measure(lambda: run_numpy(config), 3, 0, collect_each=True).median)
            times["labrace"].append(measure(lambda: RaceModel(config).run(), 3, 0, collect_each=True).median)
            if n <= 100 or (n <= 1000 and len(times["naive"]) < 3):
                times["naive"].append(measure(lambda: NaiveModel(config).run(), 1, 0, collect_each=True).median)
        med = {k: float(np.median(v)) if v else float("nan") for k, v in times.items()}  # naive skipped at 10,000
        rows.append({"labs": n, "steps": steps, "repeats": repeats, "numpy_s": med["numpy"],
                     "labrace_best_s": min(times["labrace"]), "numpy_best_s": min(times["numpy"]),
                     "labrace_s": med["labrace"], "naive_mesa_s": med["naive"],
                     "labrace_ratio": med["labrace"] / med["numpy"], "naive_ratio": med["naive"] / med["numpy"],
                     "labrace_per_lab_step_us": med["labrace"] / (n * steps) * 1e6,
                     "max_rel_difference": max_rel_difference(config),
                     "naive_max_rel_difference": _naive_rel_difference(config)})
    targets = []
    for n, limit in TARGETS.items():
        row = next((r for r in rows if r["labs"] == n), None)
        if row is not None and not quick:
            targets.append({"target": f"model <= {limit:g}x the numpy loop at N = {n}",
                            "measured": f"{row['labrace_ratio']:.2f}x", "met": row["labrace_ratio"] <= limit})
    # Super-linear cost shows as a growing time per lab-step between the two largest populations (at
    # small N the fixed per-step cost dominates, so a ratio to N = 2 cannot fail).
    big, small = rows[-1], rows[-2]
    growth = big["labrace_per_lab_step_us"] / small["labrace_per_lab_step_us"]
    targets.append({"target": f"time per lab-step grows <= {GROWTH_LIMIT:g}x from N = {small['labs']} to "
                              f"N = {big['labs']}",
                    "measured": f"{growth:.2f}x", "met": growth <= GROWTH_LIMIT})
    return {"name": "model_step", "rows": rows, "targets": targets, "steady_heap": steady}
