"""``labrace reproduce chinchilla | sardana | erdil`` in quick mode: every output is written and the key
numbers match values derived here independently (brute-force grids and the sources' own arithmetic)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main

E, A, B = 1.69, 406.4, 410.7


def loss(N, D, a=0.34, b=0.28):
    return E + A / N ** a + B / D ** b


def grid_optimum(C, a=0.34, b=0.28):
    """Loss-optimal N on 6ND = C by brute force over a fine grid in ln N."""
    N = np.exp(np.linspace(np.log(1e6), np.log(1e15), 2_000_001))
    return float(N[np.argmin(loss(N, C / (6 * N), a, b))])


def run(paper, tmp_path_factory):
    out = tmp_path_factory.mktemp(paper)
    assert main(["reproduce", paper, "--out", str(out), "--quick", "--quiet"]) == 0
    for name in ("summary.json", "report.md"):
        assert (out / name).stat().st_size > 0
    for figure in out.glob("*.png"):
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return out, json.loads((out / "summary.json").read_text())


@pytest.fixture(scope="module")
def chinchilla(tmp_path_factory):
    return run("chinchilla", tmp_path_factory)


@pytest.fixture(scope="module")
def sardana(tmp_path_factory):
    return run("sardana", tmp_path_factory)


@pytest.fixture(scope="module")
def erdil(tmp_path_factory):
    return run("erdil", tmp_path_factory)


def test_chinchilla_allocations_at_gophers_budget(chinchilla):
    out, summary = chinchilla
    assert len(list(out.glob("*.png"))) == 3
    models = pd.read_csv(out / "allocations.csv").set_index("model")
    rule = models.loc["rule D = 20 N at Gopher's budget"]
    assert rule.params == pytest.approx(np.sqrt(5.76e23 / 120), rel=1e-12)
    assert rule.params == pytest.approx(70e9, rel=0.015) and rule.tokens == pytest.approx(1.4e12, rel=0.015)
    optimal = models.loc["loss-optimal (fit) at Gopher's budget"]
    assert optimal.params == pytest.approx(grid_optimum(5.76e23), rel=1e-5)
    assert models.loc["Gopher", "flops_6ND"] == pytest.approx(6 * 280e9 * 300e9, rel=1e-12)
    assert models.loc["Chinchilla", "loss"] == pytest.approx(loss(70e9, 1.4e12), rel=1e-12)
    assert models.loc["Table 3 at Gopher's budget (seed: 67B / 1.5T)", "loss"] < models.loc["Gopher", "loss"]
    assert summary["table3_param_exponent"] == pytest.approx(0.50, abs=0.01)
    assert summary["fit_param_exponent"] == pytest.approx(0.28 / 0.62, rel=1e-12)
    assert round(summary["fit_param_exponent_three_digits"], 2) == 0.46


def test_chinchilla_rule_against_the_fit(chinchilla):
    out, summary = chinchilla
    gaps = pd.read_csv(out / "discrepancy.csv")
    for row in gaps.iloc[[0, 5, 10]].itertuples():
        N = grid_optimum(row.flops)
        assert row.optimal_params == pytest.approx(N, rel=1e-5)
        assert row.optimal_tokens_per_param == pytest.approx(row.flops / (6 * N * N), rel=2e-5)
        # the rule's extra compute: bisection on ln C for the loss the optimum reaches
        goal = loss(N, row.flops / (6 * N))
        low, high = np.log(row.flops), np.log(row.flops) + 10
        for _ in range(200):
            mid = 0.5 * (low + high)
            n = np.sqrt(np.exp(mid) / 120)
            low, high = (mid, high) if loss(n, 20 * n) > goal else (low, mid)
        assert row.rule_extra_compute == pytest.approx(np.exp(low) / row.flops - 1, rel=1e-4, abs=1e-9)
    assert np.all(np.diff(gaps.optimal_tokens_per_param) > 0)
    assert summary["closed_form_vs_brent_max"] < 1e-6


def test_sardana_published_examples(sardana):
    out, summary = sardana
    fig1, seventy = summary["fig1"], summary["seventy_b"]
    assert fig1["params"] == pytest.approx(7e9, rel=0.01)
    assert fig1["saved_flops"] == pytest.approx(1.7e22, rel=0.02)
    assert fig1["saving"] == pytest.approx(0.17, abs=0.005)
    assert seventy["params"] == pytest.approx(41.6e9, rel=0.005)
    assert seventy["tokens"] == pytest.approx(7.92e12, rel=0.005)
    assert seventy["saving"] == pytest.approx(0.12, abs=0.005)
    assert summary["root_vs_slsqp_max"] < 1e-5


def test_sardana_figure_one_by_brute_force(sardana):
    _, summary = sardana
    a, b = 0.336, 0.283
    N13 = 13e9
    D13 = (b * B * N13 ** a / (a * A)) ** (1 / b)  # the loss-optimal tokens of a 13B model
    target = loss(N13, D13, a, b)
    N = np.exp(np.linspace(np.log(3e9), np.log(13e9), 400_001))
    room = target - E - A / N ** a
    D = (B / room) ** (1 / b)
    cost = 6 * N * D + 2 * N * 2e12
    assert summary["fig1"]["params"] == pytest.approx(float(N[np.argmin(cost)]), rel=1e-5)
    assert summary["fig1"]["saved_flops"] == pytest.approx(6 * N13 * D13 + 2 * N13 * 2e12 - cost.min(), rel=1e-6)


def test_erdil_worked_example_and_presets(erdil):
    out, summary = erdil
    e = summary["worked_example"]
    assert e["equal_split_perturbed"] == pytest.approx(150 * 10 ** 0.1 + 150 * 10 ** -0.2, rel=1e-12)
    assert round(e["equal_split_perturbed"], 1) == 283.5  # the post prints 283.4 (truncated)
    assert round(e["parity_perturbed_up"], 1) == 314.9
    assert e["parity_training"] == pytest.approx(200.0) and e["parity_inference"] == pytest.approx(100.0)
    assert e["numerical_share_from_equal_split"] == pytest.approx(2 / 3, abs=1e-8)
    assert e["skewed_after"] == pytest.approx(20.0) and e["skewed_factor"] == pytest.approx(101 / 20)
    presets = pd.read_csv(out / "presets.csv")
    np.testing.assert_allclose(presets.numeric_share, presets.inference_oom / (presets.inference_oom + presets.training_oom),
                               atol=1e-8)
    assert summary["sardana"]["parity_share"] == pytest.approx(summary["sardana"]["training_share"], abs=1e-6)


def test_erdil_dynamic_optimum_against_parity(erdil):
    out, summary = erdil
    paths = pd.read_csv(out / "dynamic.csv")
    assert paths.converged.all()
    gamma_eps = paths.gamma * paths.epsilon
    np.testing.assert_allclose(paths.parity_share, gamma_eps / (1 + gamma_eps), rtol=1e-12)
    np.testing.assert_allclose(paths.best_constant_share, paths.parity_share, atol=1e-4)
    assert np.all(paths.dynamic_compute_share > paths.parity_share)
    assert np.all(paths.dynamic_initial == 1.0) and np.all(paths.dynamic_final < 0.05)
