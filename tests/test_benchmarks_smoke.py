"""Smoke test of ``python -m benchmarks --quick``: it runs, writes both reports, and its references are real.

No timing is asserted: the point is that the benchmark code keeps working and that what it compares
against is correct — the numpy loop reproduces the model, the naive Mesa model reproduces the loop, and
the three optimal-control methods agree on the seed paper's base-case optimum.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bvp import solve_base_case_bvp
from benchmarks.euler_sweep import euler_sweep
from benchmarks.naive_mesa import NaiveModel
from benchmarks.numpy_loop import RECORDED, run_numpy
from benchmarks.population import mixed_config
from labrace.simulation.model import RaceModel
from labrace.reproductions.problem import TroynikovCase

BASE_CASE = TroynikovCase()  # the seed paper's base case (model.md §5)

ROOT = Path(__file__).resolve().parents[1]
# The base-case optimum stated for the seed paper's parameters (model.md §5), to eight digits.
PAPER_BASE_CASE_NPV = 3724916.8727


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("benchmarks")
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def test_quick_mode_writes_both_reports(quick_run: Path) -> None:
    data = json.loads((quick_run / "benchmarks.json").read_text())
    assert data["quick"] is True
    assert {"cpu", "cores", "ram_gib", "os", "python", "numpy"} <= set(data["machine"])
    assert [r["name"] for r in data["results"]] == ["optimal_control", "model_step", "planning", "tournament",
                                                         "study", "montecarlo", "feedback"]
    markdown = (quick_run / "benchmarks.md").read_text()
    for heading in ("## Targets", "## 1. Optimal control", "## 2. Model step", "## 3. Planning cost",
                    "## 4. Tournament throughput", "## 5. A realistic study",
                    "## 6. Uncertainty studies", "## 7. Rational rivals"):
        assert heading in markdown


def test_quick_mode_reports_agreement_with_the_limit(quick_run: Path) -> None:
    data = json.loads((quick_run / "benchmarks.json").read_text())
    step = next(r for r in data["results"] if r["name"] == "model_step")
    assert all(row["max_rel_difference"] < 1e-12 for row in step["rows"])
    control = next(r for r in data["results"] if r["name"] == "optimal_control")
    assert abs(control["reference"]["npv"] / PAPER_BASE_CASE_NPV - 1.0) < 1e-10


@pytest.mark.parametrize("n_labs", [1, 3, 7])
def test_numpy_loop_reproduces_the_model(n_labs: int) -> None:
    config = mixed_config(n_labs, steps=30)
    model = RaceModel(config).run()
    limit = run_numpy(config)
    for name in RECORDED:
        np.testing.assert_allclose(model.recorder.labs[name], limit[name], rtol=1e-12, atol=0.0, err_msg=name)


def test_naive_mesa_model_reproduces_the_loop() -> None:
    config = mixed_config(4, steps=15)
    naive = NaiveModel(config).run()
    limit = run_numpy(config)
    for name in RECORDED:
        np.testing.assert_allclose(naive.records(name), limit[name], rtol=1e-12, atol=0.0, err_msg=name)


def test_the_three_base_case_solvers_agree() -> None:
    """solve_bvp and labrace agree to 1e-7; the first-order Euler sweep's error shrinks tenfold per refinement."""
    bvp = solve_base_case_bvp(BASE_CASE, tol=1e-7)
    assert bvp["converged"]
    assert abs(bvp["npv"] / PAPER_BASE_CASE_NPV - 1.0) < 1e-7
    errors = [abs(euler_sweep(BASE_CASE, n)["npv"] / PAPER_BASE_CASE_NPV - 1.0) for n in (101, 1001)]
    assert 8.0 < errors[0] / errors[1] < 12.0
