"""The Python front door: ``labrace.run`` and ``labrace.tournament`` give what the commands give."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

import labrace
from labrace.cli.main import main
from labrace.simulation.columns import LAB_TABLE, MARKET_TABLE, OUTCOME_TABLE
from scenarios.loader import load_scenario, shipped_scenarios

SHOCKED = """
name = "shocked"
description = "a planner against a rule, with every shock on"
horizon = 1.5
seed = 3

[market]
delta0 = 1.0
contest = 3.0

[shocks]
compute_noise = 0.3
breakthrough_rate = 2.0
demand_noise = 0.2

[[labs]]
name = "planner"
policy = { name = "pontryagin", params = { replan_every = 5, grid = 20 } }

[[labs]]
name = "rule"
compute0 = 150.0
policy = { name = "constant", params = { alpha = 0.4 } }
"""

TINY_TOURNAMENT = """
name = "tiny"
lineup_size = 2
seeds = 2
scenarios = [{ name = "tiny", horizon = 1.0, dt = 0.2, market = { delta0 = 0.5 }, labs = [
    { name = "big", compute0 = 200.0 }, { name = "small", compute0 = 100.0 } ] }]

[[entrants]]
policy = "constant"
label = "low"
params = { alpha = 0.2 }

[[entrants]]
policy = "constant"
label = "high"
params = { alpha = 0.8 }

[[entrants]]
policy = "catch_up"
"""


@pytest.fixture
def shocked(tmp_path: Path) -> Path:
    path = tmp_path / "shocked.toml"
    path.write_text(SHOCKED)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOURNAMENT)
    return path


def test_run_gives_the_numbers_of_the_run_command(shocked: Path, tmp_path: Path):
    assert main(["run", str(shocked), "--out", str(tmp_path / "cli"), "--seed", "8", "--no-figures", "--quiet"]) == 0
    written = json.loads((tmp_path / "cli" / "summary.json").read_text())
    result = labrace.run(shocked, seed=8)
    assert result.config.seed == 8 and result.description == "a planner against a rule, with every shock on"
    assert written["labs"] == result.outcomes.to_dict("records")
    assert written == json.loads(json.dumps(result.summary()))
    assert written["winner"] == result.winner
    # saving from Python writes the same files, byte for byte
    result.save(tmp_path / "api", figures=False)
    for name in ("labs.csv", "market.csv", "summary.json", "scenario.toml"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_run_frames_have_the_declared_columns_and_a_config_runs_like_its_name():
    by_name = labrace.run("troynikov")
    assert tuple(by_name.labs.columns) == LAB_TABLE
    assert tuple(by_name.market.columns) == MARKET_TABLE
    assert tuple(by_name.outcomes.columns) == OUTCOME_TABLE
    by_config = labrace.run(load_scenario("troynikov"))
    pd.testing.assert_frame_equal(by_name.outcomes, by_config.outcomes, check_exact=True)
    assert by_name.key == by_config.key
    assert labrace.read_scenario("troynikov", seed=5).config.seed == 5


def test_plot_returns_a_figure_and_leaves_the_callers_matplotlib_alone():
    backend = matplotlib.get_backend()
    style = dict(matplotlib.rcParams)
    figure = labrace.run("troynikov").plot()
    assert len([ax for ax in figure.axes if ax.get_visible()]) == 5
    assert matplotlib.get_backend() == backend
    assert dict(matplotlib.rcParams) == style


def test_tournament_matches_the_command_and_a_second_call_plays_nothing(tiny: Path, tmp_path: Path):
    assert main(["tournament", str(tiny), "--out", str(tmp_path / "cli"), "--serial", "--no-progress"]) == 0
    first = labrace.tournament(tiny, out=tmp_path / "api", workers=0, progress=False)
    # 3 entrants, ordered pairs: 9 line-ups x 2 seeds
    assert (first.report.planned, first.report.new, first.report.cached, first.failed_runs) == (18, 18, 0, 0)
    pd.testing.assert_frame_equal(first.ranking, pd.read_csv(tmp_path / "cli" / "ranking.csv"),
                                  check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(first.payoff_matrix,
                                  pd.read_csv(tmp_path / "cli" / "payoff_matrix.csv", index_col=0),
                                  check_names=False, check_column_type=False, rtol=1e-12)
    assert first.equilibrium == json.loads((tmp_path / "cli" / "equilibrium.json").read_text())
    assert (first.results["status"] == "ok").all() and len(first.results) == 36
    assert list(first.ranking["policy"]) == list(pd.read_csv(tmp_path / "api" / "ranking.csv")["policy"])

    again = labrace.tournament(tiny, out=tmp_path / "api", workers=0, progress=False)
    assert (again.report.new, again.report.cached) == (0, 18)
    pd.testing.assert_frame_equal(again.results, first.results)
    pd.testing.assert_frame_equal(again.ranking, first.ranking)
    assert len([ax for ax in again.plot().axes if ax.get_label() != "<colorbar>"]) == 2


def test_tournament_limit_plays_part_of_it_and_the_rest_is_missing(tiny: Path, tmp_path: Path):
    part = labrace.tournament(tiny, out=tmp_path / "t", workers=0, limit=5, progress=False)
    assert part.report.new == 5
    assert part.results.drop_duplicates("key")["status"].value_counts().to_dict() == {"missing": 13, "ok": 5}
    rest = labrace.tournament(tiny, out=tmp_path / "t", workers=0, progress=False)
    assert (rest.report.new, rest.report.cached) == (13, 5)


def test_bad_options_are_refused_naming_the_option(tiny: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="workers"):
        labrace.tournament(tiny, out=tmp_path / "t", workers=-1)
    with pytest.raises(ValueError, match="batch"):
        labrace.tournament(tiny, out=tmp_path / "t", batch=0)


def test_listings_name_what_is_shipped_and_registered():
    assert set(labrace.scenarios()) == set(shipped_scenarios())
    assert "quick" in labrace.shipped_tournaments()
    policies = labrace.policies()
    assert "pontryagin" in policies and "alpha" in policies["constant"]["params"]


def test_import_is_lazy_and_unknown_names_are_attribute_errors():
    code = ("import sys, labrace; assert 'pandas' not in sys.modules and 'mesa' not in sys.modules; "
            "labrace.run; assert 'matplotlib' not in sys.modules, 'run needs no plotting'; "
            "assert 'labrace.tournaments.report' not in sys.modules, 'run needs no tournament analysis'")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError):
        labrace.no_such_thing  # noqa: B018
    assert {"run", "tournament", "RunResult", "TournamentResult"} <= set(dir(labrace))
    assert labrace.TournamentResult.__name__ == "TournamentResult"


def test_revenue_share_and_rank_are_consistent():
    outcomes = labrace.run("winner_take_all").outcomes
    assert outcomes["revenue_share"].sum() == pytest.approx(1.0, rel=1e-12)
    assert list(outcomes.sort_values("rank")["lab"]) == list(outcomes.sort_values("npv", ascending=False)["lab"])
    assert sorted(outcomes["rank"]) == list(range(1, len(outcomes) + 1))
