"""What ``labrace run`` reports beside the run itself: the baseline each lab's NPV is compared with, a
seed study with medians and 90% intervals, and ties at the top said as ties."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import labrace
from labrace.cli.main import main
from labrace.simulation.baseline import independent_market
from labrace.simulation.seeds import spawn_seeds
from labrace.simulation.ties import tie_ranks, winner_text
from market.config import RaceConfig
from market.params import MarketParams

PAIR = """
horizon = 2.0
[market]
delta0 = 1.0
contest = 3.0
[shocks]
compute_noise = 0.3
breakthrough_rate = 1.0
[[labs]]
name = "big"
compute0 = 150.0
policy = { name = "constant", params = { alpha = 0.4 } }
[[labs]]
name = "small"
policy = { name = "constant", params = { alpha = 0.6 } }
"""


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    path = tmp_path / "pair.toml"
    path.write_text(PAIR)
    return path


def test_baseline_reports_each_labs_change_against_itself_alone_and_independent_labs(pair: Path, tmp_path: Path,
                                                                                   capsys):
    out = tmp_path / "out"
    assert main(["run", str(pair), "--out", str(out), "--baseline", "--no-figures"]) == 0
    printed = capsys.readouterr().out
    assert "vs alone" in printed and "vs independent" in printed
    rows = {row["lab"]: row for row in json.loads((out / "summary.json").read_text())["baseline"]}
    config = labrace.read_scenario(pair).config
    for lab in config.labs:
        alone = labrace.run(RaceConfig(labs=(lab,), market=config.market, shocks=config.shocks,
                                       horizon=config.horizon, seed=config.seed))
        row = rows[lab.name]
        assert row["alone_npv"] == pytest.approx(float(alone.outcomes["npv"][0]), rel=1e-12)
        assert row["change_vs_alone"] == pytest.approx(row["npv"] / row["alone_npv"] - 1, rel=1e-12)
        assert row["change_vs_independent"] == pytest.approx(row["npv"] / row["independent_npv"] - 1, rel=1e-12)
    assert rows["small"]["change_vs_independent"] < 0  # congestion and a steep contest cost the small lab


def test_the_independent_market_is_the_one_where_labs_do_not_interact():
    for market in (MarketParams.build(delta0=2.0, contest=5.0), MarketParams.build(demand="capacity", gamma=1.5)):
        free = independent_market(market)
        assert free.independent and free.contest_exponent == free.gamma == market.gamma
        assert free.omega == market.omega


def test_seed_study_is_spawned_from_the_scenario_seed_and_the_same_however_many_are_run(pair: Path,
                                                                                      tmp_path: Path, capsys):
    three, five = tmp_path / "three", tmp_path / "five"
    assert main(["run", str(pair), "--out", str(three), "--seeds", "3", "--no-figures", "--quiet"]) == 0
    assert main(["run", str(pair), "--out", str(five), "--seeds", "5", "--no-figures", "--quiet"]) == 0
    small, large = pd.read_csv(three / "seeds.csv"), pd.read_csv(five / "seeds.csv")
    assert list(small["seed"].unique()) == spawn_seeds(0, 3) == spawn_seeds(0, 5)[:3]
    pd.testing.assert_frame_equal(small, large.iloc[:len(small)])
    study = json.loads((five / "summary.json").read_text())["seeds"]
    assert study["count"] == 5 and study["interval"] == [0.05, 0.95]
    for entry in study["labs"]:
        npv = large.loc[large["lab"] == entry["lab"], "npv"]
        assert entry["npv"]["median"] == pytest.approx(npv.median())
        assert entry["npv"]["low"] <= entry["npv"]["median"] <= entry["npv"]["high"]
        assert entry["npv"]["low"] == pytest.approx(np.quantile(npv, 0.05))
    # one seed of the study is the run of that seed, however it is made
    alone = labrace.run(pair, seed=spawn_seeds(0, 5)[3]).outcomes
    assert list(large.loc[large["seed"] == spawn_seeds(0, 5)[3], "npv"]) == list(alone["npv"])
    assert main(["run", str(pair), "--out", str(five), "--seeds", "-1", "--quiet"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_equal_npvs_are_a_tie_not_a_winner(tmp_path: Path, capsys):
    scenario = tmp_path / "twins.toml"
    scenario.write_text('horizon = 1.0\n[market]\ndelta0 = 1.0\n[[labs]]\ncount = 2\npolicy = "constant"\n')
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--no-figures"]) == 0
    assert "winner: tie between lab1-1 and lab1-2" in capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["winner"] == "tie between lab1-1 and lab1-2"
    assert summary["leaders"] == ["lab1-1", "lab1-2"]
    assert [lab["rank"] for lab in summary["labs"]] == [1, 1]


def test_ranks_treat_npvs_equal_to_rounding_as_equal():
    assert list(tie_ranks([3.0, 3.0 * (1 + 1e-12), 1.0, 2.0])) == [1, 1, 4, 3]
    assert list(tie_ranks([1.0, 1.0 + 1e-6])) == [2, 1]
    assert winner_text(["a"]) == "a" and winner_text(["a", "b", "c"]) == "tie between a, b and c"
