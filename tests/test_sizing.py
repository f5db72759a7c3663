"""Model-size economics (labs/sizing.py) and the laws built on it, checked against independent methods:
brute-force grids, a 1-D minimisation, SLSQP, finite differences, and the published examples of
Sardana et al. (2024) and Hoffmann et al. (2022)."""

from __future__ import annotations

import numpy as np
import pytest

from labrace.cli.main import main
from labs.laws import LAWS
from labs.sizing import (HOFFMANN_FIT, SARDANA_FIT, compute_for_loss, inference_optimum, inference_optimum_2d,
                         inference_split, inference_split_elasticity, loss_optimal_split,
                         loss_optimal_split_numeric, loss_optimal_tokens, rule_loss_penalty, rule_split,
                         smallest_model, tokens_for_loss, total_flops)

BUDGETS = [1e20, 1e22, 5.76e23, 1e26]


@pytest.mark.parametrize("C", BUDGETS)
def test_loss_optimal_closed_form_matches_brent_and_a_fine_grid(C):
    N, D = loss_optimal_split(C)
    N_brent, _ = loss_optimal_split_numeric(C)
    assert N == pytest.approx(N_brent, rel=1e-6)
    assert 6 * N * D == pytest.approx(C, rel=1e-12)
    grid = np.exp(np.linspace(np.log(N) - 0.5, np.log(N) + 0.5, 200001))
    best = grid[np.argmin(HOFFMANN_FIT.reducible(grid, C / (6 * grid)))]
    assert N == pytest.approx(best, rel=1e-5)


def test_the_twenty_tokens_rule_differs_from_the_fit_and_costs_loss():
    C = np.array(BUDGETS)
    N, D = loss_optimal_split(C)
    ratio = D / N
    # D/N = (C/6)^((a-b)/(a+b)) / G^2 grows with compute: about 63 at 1e22, 153 at 1e26
    fit = HOFFMANN_FIT
    G = (fit.a * fit.A / (fit.b * fit.B)) ** (1 / (fit.a + fit.b))
    np.testing.assert_allclose(ratio, (C / 6) ** ((fit.a - fit.b) / (fit.a + fit.b)) / G ** 2, rtol=1e-12)
    assert np.all(np.diff(ratio) > 0) and ratio[0] > 20
    penalty = rule_loss_penalty(C)
    assert np.all(penalty > 0)
    N20, D20 = rule_split(C)
    np.testing.assert_allclose(D20 / N20, 20.0, rtol=1e-12)


def test_loss_of_a_known_point_matches_the_formula():
    assert float(HOFFMANN_FIT.loss(70e9, 1.4e12)) == pytest.approx(
        1.69 + 406.4 / 70e9 ** 0.34 + 410.7 / 1.4e12 ** 0.28, rel=1e-14)


def test_compute_for_loss_is_the_loss_optimal_point_of_that_loss():
    N, D = loss_optimal_split(1e24)
    target = float(HOFFMANN_FIT.loss(N, D))
    N2, D2 = compute_for_loss(target)
    assert N2 == pytest.approx(float(N), rel=1e-10) and D2 == pytest.approx(float(D), rel=1e-10)
    assert float(loss_optimal_tokens(N)) == pytest.approx(float(D), rel=1e-10)
    assert float(tokens_for_loss(N, target)) == pytest.approx(float(D), rel=1e-9)
    assert np.isinf(tokens_for_loss(0.99 * smallest_model(target), target))
    with pytest.raises(ValueError, match="irreducible"):
        compute_for_loss(1.5)


@pytest.mark.parametrize("inference_tokens", [0.0, 1e10, 1e12, 1e13, 1e15])
def test_inference_optimum_root_find_matches_slsqp_and_a_grid(inference_tokens):
    fit = SARDANA_FIT
    target = float(fit.loss(*loss_optimal_split(1e23, fit)))
    N, D = inference_optimum(target, inference_tokens, fit)
    N2, D2 = inference_optimum_2d(target, inference_tokens, fit)
    assert N == pytest.approx(N2, rel=1e-5) and D == pytest.approx(D2, rel=1e-5)
    assert float(fit.loss(N, D)) == pytest.approx(target, rel=1e-12)
    grid = np.exp(np.linspace(np.log(N) - 0.3, np.log(N) + 0.3, 60001))
    cost = total_flops(grid, tokens_for_loss(grid, target, fit), inference_tokens)
    assert N == pytest.approx(grid[np.argmin(cost)], rel=2e-5)


def test_more_inference_means_smaller_models_trained_longer():
    target = float(SARDANA_FIT.loss(*loss_optimal_split(1e24, SARDANA_FIT)))
    sizes = [inference_optimum(target, d, SARDANA_FIT) for d in (0.0, 1e11, 1e12, 1e13, 1e14)]
    N = np.array([s[0] for s in sizes])
    D = np.array([s[1] for s in sizes])
    assert np.all(np.diff(N) < 0) and np.all(np.diff(D) > 0)
    assert np.all(N > smallest_model(target, SARDANA_FIT))


def test_sardana_figure_one_example():
    # A 13B Chinchilla-optimal model expecting 2T inference tokens: a 7B model trained on more data
    # saves 1.7e22 FLOP, 17% of the total (Sardana et al. 2024, Fig. 1).
    N13 = 13e9
    D13 = float(loss_optimal_tokens(N13, SARDANA_FIT))
    target = float(SARDANA_FIT.loss(N13, D13))
    N, D = inference_optimum(target, 2e12, SARDANA_FIT)
    before, after = float(total_flops(N13, D13, 2e12)), float(total_flops(N, D, 2e12))
    assert N == pytest.approx(7e9, rel=0.01)
    assert before - after == pytest.approx(1.7e22, rel=0.02)
    assert 1 - after / before == pytest.approx(0.17, abs=0.005)


def test_inference_split_is_the_optimum_read_at_its_own_training_budget():
    fit = HOFFMANN_FIT
    inference = np.array([0.0, 1e11, 1e12, 1e13, 1e14])
    target = float(fit.loss(*loss_optimal_split(1e23)))
    optima = np.array([inference_optimum(target, d, fit) for d in inference])
    C = 6 * optima[:, 0] * optima[:, 1]
    N, D = inference_split(C, inference, fit)
    np.testing.assert_allclose(N, optima[:, 0], rtol=1e-9)
    np.testing.assert_allclose(D, optima[:, 1], rtol=1e-9)
    np.testing.assert_allclose(inference_split(1e23, 0.0, fit)[0], loss_optimal_split(1e23, fit)[0], rtol=1e-12)


def test_a_labs_inference_split_does_not_depend_on_the_other_labs_in_the_call():
    """Each lab's root is its own: solved alone or beside labs that need many more Newton steps, its size
    is the same to the last bit (so a lab that does not train keeps its capability exactly in the model)."""
    budgets = np.array([1.5e20, 7.3e23, 2.0e28, 4.4e16])
    inference = np.array([1.3e9, 1e13, 0.0, 5e15])
    together = inference_split(budgets, inference)[0]
    alone = np.array([inference_split(budgets[k:k + 1], inference[k:k + 1])[0][0] for k in range(budgets.size)])
    assert np.array_equal(together, alone)


def test_inference_split_elasticity_matches_finite_differences():
    C = np.array([1e20, 1e23, 1e26])
    for inference in (0.0, 1e12, 1e15):
        h = 1e-5
        up = np.log(inference_split(C * np.exp(h), inference)[0])
        down = np.log(inference_split(C * np.exp(-h), inference)[0])
        np.testing.assert_allclose(inference_split_elasticity(C, inference), (up - down) / (2 * h), rtol=1e-6)


def test_loss_optimal_law_is_a_power_of_flops():
    law = LAWS["loss_optimal"]
    p = {"efficiency": 1e22, "trained0": 10.0}
    F = np.array([1.0, 10.0, 1000.0])
    M = law.capability(F, p)
    exponent = HOFFMANN_FIT.a * HOFFMANN_FIT.b / (HOFFMANN_FIT.a + HOFFMANN_FIT.b)
    np.testing.assert_allclose(M[1:] / M[0], (F[1:] / F[0]) ** exponent, rtol=1e-12)
    np.testing.assert_allclose(law.training_elasticity(M, F, p), exponent, rtol=1e-12)


def test_inference_aware_law_beats_no_law_on_total_cost_and_reduces_to_loss_optimal():
    aware, optimal = LAWS["inference_aware"], LAWS["loss_optimal"]
    F = np.array([10.0])
    base = {"efficiency": 1e22, "trained0": 10.0}
    np.testing.assert_allclose(aware.capability(F, {**base, "inference_tokens": 0.0}), optimal.capability(F, base),
                               rtol=1e-12)
    N, D, _ = aware.model_size(F, {**base, "inference_tokens": 1e14})
    N0, D0, _ = optimal.model_size(F, base)
    assert N[0] < N0[0] and D[0] > D0[0]
    assert aware.capability(F, {**base, "inference_tokens": 1e14})[0] < optimal.capability(F, base)[0]


def test_a_scenario_with_a_bad_inference_tokens_value_is_refused(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[[labs]]\nlaw = "inference_aware"\nlaw_params = { inference_tokens = -1.0 }\n'
                    'policy = "constant"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "labs[0].law_params.inference_tokens" in err and "[0.0, inf)" in err


def test_a_scenario_on_the_inference_aware_law_runs(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text('horizon = 2.0\ndt = 0.5\n[market]\ngamma = 2.0\ndemand = "capacity"\n'
                    '[[labs]]\nlaw = "inference_aware"\nlaw_params = { inference_tokens = 1e13 }\n'
                    'policy = { name = "constant", params = { alpha = 0.5 } }\n')
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0


SERVING_MARKET = dict(gamma=2.0, demand="capacity", capacity0=400.0, demand_growth=0.05)


def serving_problem(reference):
    from market.params import MarketParams
    from policies.optimal_control import LabProblem
    from policies.revenue import MarketRevenue
    p = {"efficiency": 1e22, "inference_tokens": 1e13, "trained0": 10.0, "reference_params": reference}
    revenue = MarketRevenue(MarketParams.build(**SERVING_MARKET), 100.0, 0.1)
    return LabProblem(LAWS["inference_aware"], p, 10.0, revenue, 0.05, 0.0, 10.0)


def test_the_npv_gradient_counts_the_serving_factor_exactly():
    from policies.optimal_control import npv_piecewise
    problem = serving_problem(1e10)
    levels = np.linspace(0.9, 0.1, 12)
    _, gradient = npv_piecewise(problem, levels)
    h = 1e-6
    numeric = [(npv_piecewise(problem, levels + h * e)[0] - npv_piecewise(problem, levels - h * e)[0]) / (2 * h)
               for e in np.eye(levels.size)]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-6 * np.max(np.abs(numeric)))


@pytest.mark.parametrize("gamma", [2.5, 3.5])
def test_training_pays_for_a_lab_whose_models_serve_less_only_if_gamma_exceeds_one_over_a(gamma):
    """Loss-optimal sizes: M ∝ C^(ab/(a+b)), tokens per unit of compute ∝ 1/N ∝ C^(-b/(a+b)), so in an
    uncongested market revenue per unit of serving compute M^gamma/N grows with training iff gamma > 1/a."""
    from market.params import MarketParams
    from policies.optimal_control import LabProblem, solve_direct, solve_pontryagin
    from policies.revenue import MarketRevenue
    p = {"efficiency": 1e22, "trained0": 10.0, "reference_params": 1e10}
    revenue = MarketRevenue(MarketParams.build(gamma=gamma, delta0=0.0), 100.0, 0.1)
    problem = LabProblem(LAWS["loss_optimal"], p, 10.0, revenue, 0.05, 0.0, 10.0)
    sweep, direct = solve_pontryagin(problem, 1000), solve_direct(problem, 200)
    assert sweep.converged
    assert sweep.npv == pytest.approx(direct.npv, rel=1e-6)
    assert 1 / HOFFMANN_FIT.a == pytest.approx(2.94, abs=0.01)
    if gamma < 1 / HOFFMANN_FIT.a:
        assert np.all(sweep.alpha == 0.0)
    else:
        assert sweep.alpha[0] == pytest.approx(1.0, abs=1e-9)


def test_simulated_capacity_is_compute_times_reference_over_model_size(tmp_path):
    path = tmp_path / "serving.toml"
    path.write_text('horizon = 2.0\ndt = 0.25\n[market]\ngamma = 2.0\ndemand = "capacity"\n'
                    '[[labs]]\nlaw = "inference_aware"\n'
                    'law_params = { inference_tokens = 1e13, reference_params = 1e10 }\n'
                    'policy = { name = "constant", params = { alpha = 0.4 } }\n')
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    import pandas as pd
    labs = pd.read_csv(out / "labs.csv")
    N, _ = inference_split(1e22 * labs.trained.to_numpy(), 1e13, HOFFMANN_FIT)
    np.testing.assert_allclose(labs.capacity, 0.6 * labs.compute * 1e10 / N, rtol=1e-12)
