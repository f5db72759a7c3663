"""``labrace reproduce hao_merrill`` (quick mode): its files, and its numbers against values derived here.

The exponents are checked against the theorems' numbers written out (1, 1/(1 - 0.3), ...), the optimiser
against brute force on a fine grid of the ray, and the calibration against its arithmetic.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from labs.params import ParameterError
from labrace.cli.main import main
from labrace.reproductions.hao_merrill_model import (ProfitProblem, large_market_size, solve_numerically,
                                                     solve_on_the_ray)

FILES = ("verification.csv", "compute_bound.csv", "exponent_curve.csv", "data_bound.csv", "efficiency.csv",
         "summary.json", "report.md", "fig1_exponent_vs_market_size.png", "fig2_calibration.png")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    directory = tmp_path_factory.mktemp("hao_merrill")
    assert main(["reproduce", "hao_merrill", "--out", str(directory), "--quick", "--quiet"]) == 0
    return directory


@pytest.fixture(scope="module")
def summary(out):
    return json.loads((out / "summary.json").read_text())


def test_every_output_is_written(out):
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    for name in FILES:
        if name.endswith(".png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_numerical_optimum_matches_the_first_order_condition_in_every_regime(summary):
    cases = summary["verification"]["cases"]
    assert {c["market"] for c in cases} == {"large", "unit", "small"}
    assert summary["verification"]["worst_relative_difference"] < 1e-6
    for case in cases:
        assert case["n"] <= case["bound_n"] * (1 + 1e-12)


def test_large_market_exponents_are_the_theorems_and_small_market_ones_half(summary):
    theorem = {(0.0, "n"): 1.0, (0.0, "training_spend"): 1.0,
               (-1.0, "n"): 1 / 0.7, (-1.0, "d"): 1 / 0.7, (-1.0, "training_spend"): 2 / 0.7 - 1}
    fitted = {(r["gamma"], r["market"], r["quantity"]): r["fitted"] for r in summary["compute_bound"]}
    for (gamma, quantity), value in theorem.items():
        assert fitted[(gamma, "large", quantity)] == pytest.approx(value, abs=1e-4)
    assert fitted[(-1.0, "small", "n")] == pytest.approx(1 / (2 * 0.7), abs=0.005)
    assert fitted[(0.0, "small", "n")] == pytest.approx(0.5, abs=0.02)  # 0.5 up to a logarithm


def test_data_bound_spend_scales_as_d_to_one_plus_beta_over_alpha_over_e(summary):
    for row in summary["data_bound"]:
        assert row["binding"]
        assert row["fitted_D"] == pytest.approx(1 + row["beta"] / row["alpha"], abs=1e-6)
        assert row["fitted_E"] == pytest.approx(-1.0, abs=1e-6)


def test_calibration_arithmetic_and_observed_trends(summary):
    c = summary["calibration"]
    assert c["labrace"]["gamma_0"]["training_spend"] == pytest.approx(1.37, rel=1e-12)
    # gamma = -1: spend grows (a E)^(2/0.7) / E with a = 3^0.15 a year
    assert c["labrace"]["gamma_-1"]["training_spend"] == pytest.approx((3 ** 0.15 * 1.37) ** (2 / 0.7) / 1.37)
    assert c["paper_inputs_in_paper_theorems"]["gamma_0"] == pytest.approx(c["paper"]["gamma_0"], abs=0.005)
    assert 2.0 < c["labrace"]["gamma_-1"]["training_spend"] < 3.1  # inside Cottier et al.'s 95% interval
    assert -1.0 < c["breakeven_gamma_final_run_cost"] < -0.5


def test_labraces_dynamic_lab_grows_its_model_as_the_square_root_of_e(summary):
    assert summary["dynamic_lab"]["exponent_n"] == pytest.approx(0.5, abs=0.01)
    assert summary["dynamic_lab"]["exponent_flop"] == pytest.approx(1.0, abs=0.02)


def test_report_sets_the_source_beside_labrace(out, summary):
    text = (out / "report.md").read_text()
    for needle in ("E^1.43", "E^1.86", "D²/E", "4.11", "7.59", "2.4x", "Cottier", "could not be read",
                   "Reconstructed", f"{summary['dynamic_lab']['exponent_n']:.4f}"):
        assert needle in text, needle


@pytest.mark.parametrize("gamma", [0.0, -1.0])
def test_ray_optimum_is_the_best_point_of_a_fine_search_along_the_ray(gamma):
    problem = ProfitProblem(gamma=gamma, omega=1e-6 if gamma == 0 else 3e-10, delta=1e-20)
    ray = solve_on_the_ray(problem)
    n = ray.n * np.exp(np.linspace(-0.01, 0.01, 20001))
    d = problem.ray_tokens(n)
    t = (problem.omega * problem.value(problem.quality(n, d)) - 2 * n / problem.efficiency) / (2 * problem.delta)
    best = n[np.argmax(problem.profit(n, d, t))]
    assert best == pytest.approx(ray.n, rel=2e-6)


@pytest.mark.parametrize("gamma", [0.0, -1.0])
def test_the_optimum_approaches_the_theorems_bound_as_the_market_grows(gamma):
    base = ProfitProblem(gamma=gamma, omega=1e-6 if gamma == 0 else 3e-10)
    ratios = [solve_numerically(base.with_(delta=delta)).n / large_market_size(base) for delta in (1e-18, 1e-21, 1e-24)]
    assert ratios[0] < ratios[1] < ratios[2] < 1.0
    assert 1.0 - ratios[2] < 1e-3


def test_a_value_of_quality_growing_faster_than_inference_cost_is_refused():
    with pytest.raises(ParameterError, match="gamma"):
        ProfitProblem(gamma=-4.0)
    assert math.isfinite(ProfitProblem(gamma=-3.0).market_size())
