"""Benchmark 6: uncertainty studies — a Monte Carlo's throughput and worker-count invariance, and the Sobol
estimator against the Ishigami function's analytic indices.

The shipped ``uncertain_duopoly`` (a re-planning Pontryagin lab against a myopic one, five
parameters given as distributions, compute noise) is sampled with ``labrace run --samples``'s machinery
in process and on two workers into fresh stores; the two must hold bit-identical samples. The CPU time of
the in-process pass gives the cost per sample. The Sobol estimator's error on Ishigami (a = 7, b = 0.1)
is reported at three base sizes. In quick mode: a few samples, and no worker pool.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from scenarios.loader import read_scenario
from labrace.uncertainty.montecarlo import monte_carlo_study
from labrace.uncertainty.samples import PATHS
from labrace.uncertainty.sobol import ISHIGAMI, ishigami, saltelli_design, sobol_indices

SCENARIO = "uncertain_duopoly"  # shipped
ISHIGAMI_TOLERANCE = 0.01


def _play(study, workers: int):
    with tempfile.TemporaryDirectory() as directory:
        cpu, wall = time.process_time(), time.perf_counter()
        report, frame = study.play(Path(directory), workers, progress=False)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if report.failed or report.lost:
        raise RuntimeError(f"montecarlo benchmark: {report.failed} failed, {report.lost} lost: {report.errors[:3]}")
    return cpu, wall, frame.drop(columns=["path_t", *[f"path_{p}" for p in PATHS]])


def _ishigami(bases: tuple[int, ...]) -> list[dict]:
    rows = []
    for n in bases:
        result = sobol_indices(ishigami(-np.pi + 2 * np.pi * saltelli_design(3, n, 0)), 3, bootstrap=0)
        first, total = result.first[:, 0], result.total[:, 0]
        rows.append({"base": n, "evaluations": n * 5,
                     **{f"S1_{i + 1}": first[i] for i in range(3)}, **{f"ST_{i + 1}": total[i] for i in range(3)},
                     "max_error": float(max(np.abs(first - ISHIGAMI[0]).max(), np.abs(total - ISHIGAMI[1]).max()))})
    rows.append({"base": "analytic", "evaluations": "", **{f"S1_{i + 1}": ISHIGAMI[0][i] for i in range(3)},
                 **{f"ST_{i + 1}": ISHIGAMI[1][i] for i in range(3)}, "max_error": 0.0})
    return rows


def run(quick: bool) -> dict:
    samples = 4 if quick else 200
    study = monte_carlo_study(read_scenario(SCENARIO), samples)
    cpu, wall, serial = _play(study, 0)
    rows = [{"workers": 0, "samples": samples, "cpu_s": cpu, "wall_s": wall, "cpu_ms_per_sample": 1e3 * cpu / samples}]
    identical = True
    if not quick:
        _cpu, pool_wall, pooled = _play(study, 2)
        identical = serial.equals(pooled)
        rows.append({"workers": 2, "samples": samples, "wall_s": pool_wall, "samples_per_s": samples / pool_wall,
                     "identical_to_first": identical})
    sobol = _ishigami((2 ** 8, 2 ** 10) if quick else (2 ** 10, 2 ** 13, 2 ** 16))
    worst = sobol[-2]["max_error"]
    targets = [{"target": f"Sobol indices of Ishigami within {ISHIGAMI_TOLERANCE} at base {sobol[-2]['base']}",
                "measured": f"largest error {worst:.2g}", "met": worst <= ISHIGAMI_TOLERANCE}]
    if not quick:
        targets.insert(0, {"target": "Monte-Carlo samples bit-identical on 0 and 2 workers",
                           "measured": "identical" if identical else "DIFFERENT", "met": identical})
    description = (f"The shipped `uncertain_duopoly` scenario: {samples} samples; CPU time of the "
                   "in-process pass, wall-clock time for the pool (its start-up included).")
    return {"name": "montecarlo", "rows": rows, "sobol": sobol, "targets": targets, "description": description}
