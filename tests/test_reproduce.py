"""``labrace reproduce troynikov``: every output is written with its columns and keys, the numbers in
them are consistent with each other, and the paper-scheme emulation isolates its two error sources."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from policies.optimal_control import solve_pontryagin
from labrace.cli.main import main
from labrace.reproductions.base_case import TRAJECTORY_COLUMNS
from labrace.reproductions.paper_scheme import PaperScheme, run_paper_scheme
from labrace.reproductions.problem import TroynikovCase

FIGURES = ("fig1_base_case.png", "fig2_sensitivity_epsilon.png", "fig3_sensitivity_gamma.png",
           "fig4_sensitivity_rho.png", "fig5_sensitivity_growth.png", "fig6_steady_state_constant.png",
           "fig7_steady_state_sensitivity.png")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    directory = tmp_path_factory.mktemp("troynikov")
    assert main(["reproduce", "troynikov", "--out", str(directory), "--quick", "--quiet"]) == 0
    return directory


@pytest.fixture(scope="module")
def summary(out):
    return json.loads((out / "summary.json").read_text())


def test_every_output_file_is_written(out):
    for name in ("optimal_trajectory.csv", "summary.json", "report.md", "sweeps.csv", "balanced_growth.csv",
                 *FIGURES):
        assert (out / name).stat().st_size > 0, name
    for name in FIGURES:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_trajectory_has_the_required_columns_and_is_self_consistent(out, summary):
    frame = pd.read_csv(out / "optimal_trajectory.csv")
    assert tuple(frame.columns) == TRAJECTORY_COLUMNS
    assert np.all(np.isfinite(frame.to_numpy()))
    t, alpha, M = frame["t"].to_numpy(), frame["alpha"].to_numpy(), frame["capability"].to_numpy()
    assert t[0] == 0.0 and t[-1] == pytest.approx(10.0) and np.all((alpha >= 0) & (alpha <= 1))
    assert frame["npv"].iloc[-1] == pytest.approx(summary["npv"], rel=1e-12)
    # Re-integrate the written alpha: dM/dt = (alpha C)^0.5 and revenue M^2 (1 - alpha) C.
    C = 100.0 * np.exp(0.1 * t)
    rate = np.sqrt(alpha * C)
    M_again = 1.0 + np.concatenate([[0.0], np.cumsum(0.5 * np.diff(t) * (rate[1:] + rate[:-1]))])
    np.testing.assert_allclose(M_again, M, rtol=1e-4)
    np.testing.assert_allclose(frame["revenue"], M ** 2 * (1 - alpha) * C, rtol=1e-12)
    discounted = np.exp(-0.05 * t) * frame["revenue"].to_numpy()
    assert np.trapezoid(discounted, t) == pytest.approx(summary["npv"], rel=1e-4)


def test_summary_has_the_required_keys_and_verified_numbers(summary):
    for key in ("npv", "final_capability", "switch_time", "solver", "verification", "steady_state",
                "paper_scheme", "sweeps"):
        assert key in summary, key
    assert set(summary["solver"]) >= {"method", "grid_points", "iterations", "residual"}
    direct = summary["verification"]["direct"]
    assert set(direct) >= {"npv_by_pieces", "richardson_npv", "richardson_relative_gap"}
    assert direct["richardson_relative_gap"] < 1e-6
    assert max(summary["verification"]["grid_convergence"]["relative_gap_to_finest"].values()) < 1e-6
    assert summary["npv"] == pytest.approx(3724916.87, rel=1e-8)
    assert summary["final_capability"] == pytest.approx(92.4501, rel=1e-5)
    assert 5.5 < summary["switch_time"] < 5.7
    steady = summary["steady_state"]
    assert steady["eq11_at_paper_code_rho"]["eq11"] == pytest.approx(0.6)
    assert steady["balanced_growth_max_error"] < 1e-3


def test_sweeps_and_report(out, summary):
    sweeps = pd.read_csv(out / "sweeps.csv")
    assert set(sweeps["parameter"]) == {"epsilon", "gamma", "rho", "growth"}
    assert {"npv", "final_capability", "mean_alpha", "paper_npv", "paper_exact_npv"} <= set(sweeps.columns)
    # No control beats the optimum: the paper scheme's control earns less, exactly evaluated.
    assert np.all(sweeps["paper_exact_npv"] <= sweeps["npv"] * (1 + 1e-9))
    report = (out / "report.md").read_text()
    assert f"{summary['npv']:,.4f}" in report
    assert "balanced" in report and "0.6" in report


def test_bad_output_path_is_a_usage_error(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["reproduce", "troynikov", "--out", str(target), "--quiet"]) == 2
    assert "out:" in capsys.readouterr().err


def test_correct_costate_converges_to_the_optimum_but_the_double_discount_does_not():
    case = TroynikovCase()
    optimum = solve_pontryagin(case.problem(), 2000).npv

    def loss(dt: float, double: bool) -> float:
        scheme = PaperScheme(dt=dt, double_discount=double, tol=1e-10, max_iter=2000)
        return (optimum - run_paper_scheme(case, scheme).exact_npv) / optimum

    correct = [loss(dt, False) for dt in (0.1, 0.05, 0.01)]
    assert correct[0] > correct[1] > correct[2] > 0 and correct[2] < 1e-5
    assert loss(0.01, True) > 1e-3


def test_published_scheme_settings_reproduce_its_known_behaviour():
    result = run_paper_scheme(TroynikovCase())
    assert result.t.size == 101
    assert result.iterations < 100 and result.change < 1e-4
    # Relaxation from 0.5 never lands exactly on 1 in the ramp-up.
    assert 0.999 < result.alpha[0] < 1.0
