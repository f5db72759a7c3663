"""Sobol indices: the estimator against the Ishigami function's analytic indices and a linear model's,
and ``labrace sensitivity`` on a scenario whose answer is known in part (a fixed rule's training share is
its sampled alpha alone)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main
from labrace.uncertainty.sobol import ISHIGAMI, ishigami, saltelli_design, sobol_indices

ISHIGAMI_BASE = 2 ** 13
ISHIGAMI_TOLERANCE = 0.02  # measured worst error over seeds 0-4 at n = 2^13: 0.012


def _ishigami(n: int, seed: int):
    unit = saltelli_design(3, n, seed)
    return sobol_indices(ishigami(-np.pi + 2 * np.pi * unit), 3, seed=seed, bootstrap=200)


def test_the_analytic_ishigami_indices():
    np.testing.assert_allclose(ISHIGAMI[0], [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(ISHIGAMI[1], [0.5576, 0.4424, 0.2437], atol=5e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_estimator_recovers_the_ishigami_indices(seed: int):
    result = _ishigami(ISHIGAMI_BASE, seed)
    np.testing.assert_allclose(result.first[:, 0], ISHIGAMI[0], atol=ISHIGAMI_TOLERANCE)
    np.testing.assert_allclose(result.total[:, 0], ISHIGAMI[1], atol=ISHIGAMI_TOLERANCE)
    low, high = result.total_interval[:, :, 0]
    assert (low <= high).all() and (high - low < 0.1).all()


def test_the_error_shrinks_with_the_sample_size():
    def error(n: int) -> float:
        errors = []
        for seed in range(4):
            result = _ishigami(n, seed)
            errors.append(max(np.abs(result.first[:, 0] - ISHIGAMI[0]).max(),
                              np.abs(result.total[:, 0] - ISHIGAMI[1]).max()))
        return float(np.mean(errors))

    assert error(2 ** 14) < error(2 ** 11) < error(2 ** 8)


def test_a_linear_model_has_indices_proportional_to_its_squared_coefficients():
    coefficients = np.array([1.0, 2.0, 3.0])
    unit = saltelli_design(3, 2 ** 12, 5)
    result = sobol_indices(unit @ coefficients, 3, bootstrap=10)
    expected = coefficients ** 2 / (coefficients ** 2).sum()  # uniform inputs: equal variances
    np.testing.assert_allclose(result.first[:, 0], expected, atol=0.01)
    np.testing.assert_allclose(result.total[:, 0], expected, atol=0.01)


SCENARIO = """
name = "sens"
horizon = 2.0
dt = 0.1

[market]
delta0 = { distribution = "uniform", low = 0.001, high = 0.01 }

[[labs]]
name = "rule"
compute0 = { distribution = "lognormal", p5 = 80, median = 100, p95 = 130 }
policy = { name = "constant", params = { alpha = { distribution = "triangular", low = 0.2, mode = 0.4, high = 0.7 } } }

[[labs]]
name = "reactive"
policy = "myopic"
"""


def test_sensitivity_ranks_a_rules_sampled_alpha_as_all_of_its_training_share(tmp_path: Path, capsys):
    path = tmp_path / "sens.toml"
    path.write_text(SCENARIO)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--base", "16", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert {p.name for p in out.glob("*.png")} == {"sobol_rule.png", "tornado_rule.png", "sobol_reactive.png",
                                                   "tornado_reactive.png"}
    assert "3 uncertain parameters, base 16, 87 runs (87 new" in printed
    indices = pd.read_csv(out / "indices.csv")
    design = pd.read_csv(out / "design.csv")
    for lab, rows in design.groupby("lab"):  # log NPV only where every NPV is positive
        outputs = set(indices.loc[indices["lab"] == lab, "output"])
        assert outputs == {"npv", "mean_alpha", "final_capability"} | ({"log_npv"} if (rows["npv"] > 0).all() else set())
    assert set(indices["output"]) == {"npv", "log_npv", "mean_alpha", "final_capability"}  # a price above 0 throughout
    share = indices[(indices["lab"] == "rule") & (indices["output"] == "mean_alpha")].set_index("parameter")
    # the rule's training share is alpha whatever else is drawn: the other totals are exactly zero
    assert share.loc["market.delta0", "ST"] == 0.0 and share.loc["labs[0].compute0", "ST"] == 0.0
    assert share.loc["labs[0].policy.params.alpha", "rank"] == 1
    tornado = pd.read_csv(out / "tornado.csv")
    alpha = tornado[(tornado["lab"] == "rule") & (tornado["output"] == "mean_alpha")].set_index("parameter")
    row = alpha.loc["labs[0].policy.params.alpha"]
    from scenarios.distributions import Triangular

    expected = Triangular(0.2, 0.4, 0.7).ppf(np.array([0.05, 0.5, 0.95]))
    np.testing.assert_allclose([row["at_low"], row["nominal"], row["at_high"]], expected, rtol=1e-12)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sensitivity"]["runs"] == 87
    assert main(["sensitivity", str(path), "--base", "16", "--out", str(out), "--no-figures"]) == 0
    assert "(0 new, 87 already done" in capsys.readouterr().out


def test_sensitivity_refuses_a_base_that_is_not_a_power_of_two_or_too_many_runs(tmp_path: Path, capsys):
    path = tmp_path / "sens.toml"
    path.write_text(SCENARIO)
    assert main(["sensitivity", str(path), "--base", "24", "--out", str(tmp_path / "o")]) == 2
    assert "--base: 24 is not a power of two" in capsys.readouterr().err
    assert main(["sensitivity", str(path), "--base", "4096", "--out", str(tmp_path / "o")]) == 2
    assert "20,487 runs are more than the limit of 10,000" in capsys.readouterr().err
    assert main(["sensitivity", "duopoly", "--out", str(tmp_path / "o")]) == 2
    assert "gives no parameter as a distribution" in capsys.readouterr().err
