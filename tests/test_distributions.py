"""Parameters given as distributions: the fits against scipy's own distributions, the nominal scenario,
and every bad distribution refused with exit status 2 naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from labrace.cli.main import main
from scenarios.distributions import TAIL, Z95, Lognormal, Triangular, Uniform
from scenarios.loader import read_scenario

LAB = '[[labs]]\npolicy = { name = "constant", params = { alpha = 0.3 } }\n'


def _levels(q: np.ndarray) -> np.ndarray:
    """Unit numbers at which the tail-cut lognormal reaches its quantile levels ``q``."""
    return (np.asarray(q) - TAIL) / (1 - 2 * TAIL)


def test_a_log_symmetric_lognormal_is_scipys_lognormal_through_the_three_numbers():
    fit = Lognormal(p5=80.0, median=100.0, p95=125.0)  # 100/80 = 125/100
    sigma = np.log(1.25) / stats.norm.ppf(0.95)
    q = np.linspace(0.001, 0.999, 101)
    expected = stats.lognorm(s=sigma, scale=100.0).ppf(q)
    np.testing.assert_allclose(fit.ppf(_levels(q)), expected, rtol=1e-12)
    np.testing.assert_allclose(fit.ppf(_levels([0.05, 0.5, 0.95])), [80.0, 100.0, 125.0], rtol=1e-12)
    assert fit.nominal == 100.0


def test_an_asymmetric_range_keeps_all_three_numbers_with_a_sigma_for_each_side():
    fit = Lognormal(p5=80.0, median=100.0, p95=130.0)
    np.testing.assert_allclose(fit.ppf(_levels([0.05, 0.5, 0.95])), [80.0, 100.0, 130.0], rtol=1e-12)
    low, high = fit.sigmas
    assert low == pytest.approx(np.log(100 / 80) / Z95) and high == pytest.approx(np.log(1.3) / Z95)
    draws = fit.ppf(np.random.default_rng(1).random(400_000))
    # empirical quantiles of 400,000 draws: standard error of a 5% quantile about 0.1%
    np.testing.assert_allclose(np.quantile(draws, [0.05, 0.5, 0.95]), [80.0, 100.0, 130.0], rtol=4e-3)
    lowest, highest = fit.support
    assert draws.min() >= lowest and draws.max() <= highest
    assert lowest == pytest.approx(100 * np.exp(low * stats.norm.ppf(TAIL)))


def test_triangular_and_uniform_against_scipy():
    u = np.linspace(0.0, 1.0, 201)
    tri = Triangular(low=0.03, mode=0.05, high=0.10)
    expected = stats.triang(c=(0.05 - 0.03) / 0.07, loc=0.03, scale=0.07).ppf(u)
    np.testing.assert_allclose(tri.ppf(u), expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(Uniform(low=-1.0, high=3.0).ppf(u), stats.uniform(-1.0, 4.0).ppf(u), rtol=1e-15)
    assert tri.support == (0.03, 0.10)
    assert Triangular(low=0.0, mode=0.0, high=1.0).nominal == pytest.approx(1 - np.sqrt(0.5))


def test_the_nominal_scenario_runs_each_distributions_median(tmp_path: Path):
    path = tmp_path / "u.toml"
    path.write_text('[market]\ndelta0 = { distribution = "uniform", low = 0.5, high = 3.0 }\n'
                    '[[labs]]\ncompute0 = { distribution = "lognormal", p5 = 80, median = 100, p95 = 130 }\n'
                    'count = 2\n'
                    'policy = { name = "constant", params = { alpha = { distribution = "triangular", '
                    'low = 0.2, mode = 0.4, high = 0.7 } } }\n')
    scenario = read_scenario(path)
    config = scenario.config
    assert dict(config.market.demand_params)["delta0"] == 1.75
    assert [lab.compute0 for lab in config.labs] == [100.0, 100.0]
    assert dict(config.labs[0].policy.params)["alpha"] == pytest.approx(0.7 - np.sqrt(0.5 * 0.5 * 0.3))
    uncertainty = scenario.uncertainty
    assert uncertainty.names == ["market.delta0", "labs[0].compute0", "labs[0].policy.params.alpha"]
    drawn = uncertainty.config([2.0, 90.0, 0.5], seed=5)
    assert drawn.seed == 5 and [lab.compute0 for lab in drawn.labs] == [90.0, 90.0]  # copies share a draw
    assert dict(drawn.market.demand_params)["delta0"] == 2.0


BAD = [
    ("p95 below the median", 'compute0 = { distribution = "lognormal", p5 = 80, median = 100, p95 = 90 }',
     "labs[0].compute0.p95", "not above the median"),
    ("zero lognormal scale", 'compute0 = { distribution = "lognormal", p5 = 0, median = 100, p95 = 130 }',
     "labs[0].compute0.p5", "not positive"),
    ("negative lognormal scale", 'compute0 = { distribution = "lognormal", p5 = -5, median = 100, p95 = 130 }',
     "labs[0].compute0.p5", "not positive"),
    ("median below p5", 'compute0 = { distribution = "lognormal", p5 = 120, median = 100, p95 = 130 }',
     "labs[0].compute0.median", "not above p5"),
    ("low >= high", 'growth = { distribution = "uniform", low = 0.3, high = 0.3 }', "labs[0].growth.high",
     "not above low"),
    ("mode outside", 'discount = { distribution = "triangular", low = 0.03, mode = 0.2, high = 0.1 }',
     "labs[0].discount.mode", "outside"),
    ("unknown kind", 'growth = { distribution = "normal", low = 0.1, high = 0.2 }', "labs[0].growth.distribution",
     "'lognormal'"),
    ("missing key", 'growth = { distribution = "uniform", low = 0.1 }', "labs[0].growth.high", "needs high"),
    ("misspelt key", 'growth = { distribution = "uniform", low = 0.1, hihg = 0.2 }', "labs[0].growth.hihg",
     "'high'"),
    ("not a number", 'growth = { distribution = "uniform", low = "a", high = 0.2 }', "labs[0].growth.low",
     "number"),
    ("sample above the range", 'growth = { distribution = "uniform", low = 0.1, high = 2.5 }', "labs[0].growth",
     "[-1.0, 2.0]"),
    ("lognormal tail above the range", 'discount = { distribution = "lognormal", p5 = 0.1, median = 0.5, '
     'p95 = 1.5 }', "labs[0].discount", "highest value"),
    ("sample below an open bound", 'compute0 = { distribution = "uniform", low = 0.0, high = 10.0 }',
     "labs[0].compute0", "lowest value"),
]


@pytest.mark.parametrize("case, line, field, word", BAD, ids=[case[0] for case in BAD])
def test_a_bad_distribution_exits_2_naming_the_file_and_the_field(tmp_path: Path, capsys, case, line, field,
                                                                  word):
    path = tmp_path / "bad.toml"
    path.write_text(LAB + line + "\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}: {field}:" in err and word in err


def test_a_distribution_at_a_market_parameter_out_of_range_names_it(tmp_path: Path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[market]\ngamma = { distribution = "uniform", low = -1.0, high = 2.0 }\n' + LAB)
    assert main(["validate", str(path)]) == 2
    assert f"{path}: market.gamma: uniform(low=-1, high=2) reaches -1 as its lowest value" in capsys.readouterr().err
