"""Robust policies: regret and expected relative NPV on a table worked by hand, the classification tree
against a brute-force split search and known boundaries, and the section in a sampled tournament's report."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main
from labrace.tournaments.robust import best_split, fit_tree, ranking, rules


def test_regret_and_expected_relative_npv_on_a_table_worked_by_hand():
    table = pd.DataFrame({"a": [1.2, 0.8, 1.0], "b": [1.0, 1.1, 1.0], "c": [0.5, 0.6, 1.3]},
                         index=pd.MultiIndex.from_tuples([("s", "w1"), ("s", "w2"), ("s", "w3")],
                                                         names=["scenario", "sweep"]))
    got = ranking(table).set_index("policy")
    # best per world: 1.2 (a), 1.1 (b), 1.3 (c)
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "expected_relative_npv"], [1.0, 3.1 / 3, 0.8])
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "max_regret"], [0.3, 0.3, 0.7])
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "mean_regret"], [(0 + 0.3 + 0.3) / 3,
                                                                         (0.2 + 0 + 0.3) / 3, (0.7 + 0.5 + 0) / 3])
    np.testing.assert_allclose(got.loc[["a", "b", "c"], "win_share"], [1 / 3, 1 / 3, 1 / 3])
    assert got.loc["b", "rank_expected"] == 1 and got.loc["c", "rank_max_regret"] == 3


def _brute_force(x: np.ndarray, y: np.ndarray, min_leaf: int) -> float:
    """The lowest weighted Gini impurity of any single split, by trying every threshold one at a time."""
    def gini(labels):
        if not len(labels):
            return 0.0
        _, counts = np.unique(labels, return_counts=True)
        return len(labels) - (counts ** 2).sum() / len(labels)

    best = np.inf
    for j in range(x.shape[1]):
        values = np.unique(x[:, j])
        for low, high in itertools.pairwise(values):
            below = x[:, j] <= (low + high) / 2
            if below.sum() >= min_leaf and (~below).sum() >= min_leaf:
                best = min(best, gini(y[below]) + gini(y[~below]))
    return best


@pytest.mark.parametrize("seed", range(5))
def test_the_split_search_finds_the_brute_force_optimum(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.random((60, 3)).round(2)  # ties included
    y = rng.integers(0, 3, 60)
    found = best_split(x, y, 3, min_leaf=3)
    assert found is not None and found[2] == pytest.approx(_brute_force(x, y, 3), abs=1e-9)


def test_the_tree_recovers_known_win_regions():
    rng = np.random.default_rng(1)
    x = rng.random((400, 3))
    labels = ["A" if a < 0.3 else ("B" if b < 0.6 else "C") for a, b, _ in x]
    tree = fit_tree(x, labels, ["p", "q", "r"])
    assert tree.feature == "p" and abs(tree.threshold - 0.3) < 0.01
    assert tree.high.feature == "q" and abs(tree.high.threshold - 0.6) < 0.01
    found = {r["winner"]: r for r in rules(tree)}
    assert set(found) == {"A", "B", "C"} and all(r["wins"] == r["worlds"] for r in found.values())
    assert found["C"]["conditions"] == f"p > {tree.threshold:.4g} and q > {tree.high.threshold:.4g}"


TOURNAMENT = """
name = "robust"
lineup_size = 2
scenarios = [{ name = "short", horizon = 3.0, labs = [{ name = "lab" }] }]

[[entrants]]
policy = "constant"
params = { alpha = 0.2 }

[[entrants]]
policy = "constant"
params = { alpha = 0.6 }

[[entrants]]
policy = "myopic"

[sweep.sample]
n = 10
seed = 3
[sweep.sample.ranges]
"labs.discount" = [0.01, 0.6]
"market.delta0" = { distribution = "lognormal", p5 = 0.2, median = 1.0, p95 = 5.0 }
"""


def test_a_sampled_tournament_reports_robust_policies(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(TOURNAMENT)
    out = tmp_path / "out"
    assert main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress"]) == 0
    robust = pd.read_csv(out / "robust.csv").set_index("policy")
    winners = pd.read_csv(out / "winners.csv")
    assert len(winners) == 10 and winners["market.delta0"].gt(0).all()
    # independently from the per-run results: the mean relative NPV per sweep point, then over the points
    runs = pd.read_parquet(out / "runs.parquet")
    mean = runs.groupby(["sweep", "seed", "seat"])["npv"].transform("mean")
    runs["relative"] = runs["npv"] / mean
    per_world = runs.groupby(["sweep", "policy"])["relative"].mean().unstack()
    expected = per_world.mean()
    np.testing.assert_allclose(robust.loc[expected.index, "expected_relative_npv"], expected.to_numpy(), rtol=1e-12)
    regret = (per_world.max(axis=1).to_numpy()[:, None] - per_world.to_numpy()).max(axis=0)
    np.testing.assert_allclose(robust.loc[per_world.columns, "max_regret"], regret, rtol=1e-12, atol=1e-15)
    summary = (out / "summary.md").read_text()
    assert "## Robust policies across the sweep points" in summary and "Minimax-regret choice" in summary
    assert "wins" in summary.split("Where each entrant wins")[1]
    assert (out / "robust.png").stat().st_size > 10_000


def test_sweep_samples_take_distribution_tables_checked_against_the_parameter(tmp_path: Path):
    from labrace.tournaments.spec import tournament_from_dict
    from scenarios.schema import ScenarioError

    base = {"entrants": [{"policy": "constant"}], "scenarios": [{"labs": [{"name": "lab"}]}]}
    table = {"distribution": "triangular", "low": 0.03, "mode": 0.05, "high": 0.1}
    spec = tournament_from_dict({**base, "sweep": {"sample": {"n": 50, "ranges": {"labs.discount": table}}}})
    values = np.array([dict(p.as_dict())["labs.discount"] for p in spec.points])
    assert values.min() >= 0.03 and values.max() <= 0.1
    # a Latin hypercube: one draw in each of the 50 equal-probability strata of the triangular distribution
    from scenarios.distributions import Triangular

    strata = np.floor(np.interp(values, Triangular(0.03, 0.05, 0.1).ppf(np.linspace(0, 1, 10001)),
                                np.linspace(0, 1, 10001)) * 50)
    assert sorted(strata.astype(int)) == list(range(50))
    bad = {"distribution": "lognormal", "p5": 0.1, "median": 0.5, "p95": 1.5}
    with pytest.raises(ScenarioError, match=r'sweep\.sample\.ranges\."labs\.discount": lognormal.*highest value'):
        tournament_from_dict({**base, "sweep": {"sample": {"n": 5, "ranges": {"labs.discount": bad}}}})
