"""End-to-end tournaments: identical results under any executor, resumable store, failures, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from labs.params import Param
from policies.base import Policy
from policies.registry import REGISTRY, register
from labrace.cli.main import main
from labrace.simulation.run import run_config
from labrace.tournaments import ResultsStore, load_tournament, plan_runs
from labrace.tournaments.plan import lineups

SMALL = """
name = "small"
lineup_size = 2
seeds = 2
scenarios = [{ name = "tiny", horizon = 2.0, dt = 0.2, market = { delta0 = 0.5 }, labs = [
    { name = "big", compute0 = 200.0 }, { name = "small", compute0 = 100.0 } ] }]
{extra}
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
{entrant}
[sweep.grid]
"market.gamma" = [1.5, 2.0]
"""


def write(tmp_path: Path, extra: str = "", entrant: str = "") -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL.replace("{extra}", extra).replace("{entrant}", entrant))
    return path


def runs(out: Path) -> pd.DataFrame:
    frame = ResultsStore(out).read()
    return frame.drop(columns=["version"]).sort_values(["key", "seat"]).reset_index(drop=True)


def test_workers_1_and_2_and_serial_give_identical_results(tmp_path):
    path = write(tmp_path)
    for name, flags in {"w1": ["--workers", "1"], "w2": ["--workers", "2"], "serial": ["--serial"]}.items():
        assert main(["tournament", str(path), "--out", str(tmp_path / name), "--no-progress", *flags]) == 0
    one = runs(tmp_path / "w1")
    # 3 entrants, ordered pairs: 9 line-ups x 2 gamma x 2 seeds = 36 runs, 2 rows each
    assert len(one) == 72 and one["key"].nunique() == 36 and (one["status"] == "ok").all()
    pd.testing.assert_frame_equal(one, runs(tmp_path / "w2"))
    pd.testing.assert_frame_equal(one, runs(tmp_path / "serial"))


def test_dask_local_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = write(tmp_path)
    assert main(["tournament", str(path), "--out", str(tmp_path / "serial"), "--serial", "--no-progress"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code = main(["tournament", str(path), "--out", str(tmp_path / "dask"), "--dask", cluster.scheduler_address,
                     "--no-progress"])
    assert code == 0
    pd.testing.assert_frame_equal(runs(tmp_path / "serial"), runs(tmp_path / "dask"))


def test_interrupted_tournament_resumes_without_duplicates(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "out"
    assert main(["tournament", str(path), "--out", str(out), "--serial", "--batch", "4", "--limit", "10",
                 "--no-progress"]) == 0
    partial = runs(out)
    assert partial["key"].nunique() == 10 and len(ResultsStore(out).parts()) == 3
    capsys.readouterr()
    assert main(["tournament", str(path), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    assert "26 new runs" in capsys.readouterr().out
    assert main(["tournament", str(path), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    assert "0 new runs" in capsys.readouterr().out
    done = runs(out)
    planned = {t.key for t in plan_runs(load_tournament(path), "x")}
    assert len(planned) == 36
    assert not done.duplicated(["key", "seat"]).any()
    assert done["key"].nunique() == 36
    # the complete store equals an uninterrupted tournament's
    assert main(["tournament", str(path), "--out", str(tmp_path / "fresh"), "--serial", "--no-progress"]) == 0
    pd.testing.assert_frame_equal(done, runs(tmp_path / "fresh"))


class Explodes(Policy):
    name = "test_explodes"
    description = "Raises once a lab's capability passes a threshold (test only)."
    params = {"at": Param("at", 1.05, "capability threshold", low=0.0)}

    def decide(self, obs, labs):
        if np.any(obs.capability[labs] > self.p["at"]):
            raise RuntimeError("capability threshold crossed")
        return np.full(labs.size, 1.0)


@pytest.fixture
def exploding_policy():
    register(Explodes)
    yield
    del REGISTRY[Explodes.name]


def test_failing_runs_are_recorded_and_others_complete(tmp_path, exploding_policy):
    path = write(tmp_path, entrant='\n[[entrants]]\npolicy = "test_explodes"\n')
    out = tmp_path / "out"
    assert main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress"]) == 1
    frame = runs(out)
    assert frame["key"].nunique() == 4 * 4 * 2 * 2
    failed = frame[frame["status"] == "failed"]
    # every run with the exploding entrant in it fails (it trains flat out); no other run does
    has_bomb = frame.groupby("key")["policy"].transform(lambda p: p.str.startswith("test_explodes").any())
    assert (frame.loc[has_bomb, "status"] == "failed").all() and (frame.loc[~has_bomb, "status"] == "ok").all()
    assert failed["error"].str.contains("capability threshold crossed").all()
    assert failed["npv"].isna().all()
    # failures are results: re-running plays nothing new
    assert main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress"]) == 1
    assert len(runs(out)) == len(frame)


def test_results_match_direct_runs_and_analysis_is_consistent(tmp_path):
    path = write(tmp_path)
    out = tmp_path / "out"
    assert main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress"]) == 0
    spec = load_tournament(path)
    task = plan_runs(spec, "x")[5]
    direct = run_config(task.config).outcomes
    stored = runs(out)
    stored = stored[(stored["scenario"] == task.scenario) & (stored["sweep"] == task.sweep)
                    & (stored["seed"] == task.seed) & (stored["lineup"] == " | ".join(task.lineup))]
    np.testing.assert_allclose(stored.sort_values("seat")["npv"], direct["npv"], rtol=1e-12)
    # payoff matrix: mean NPV of "low" against "high", recomputed by hand from the rows
    rows = runs(out)
    lineup_low_high = rows[rows["lineup"].isin(["low | high", "high | low"]) & (rows["policy"] == "low")]
    matrix = pd.read_csv(out / "payoff_matrix.csv", index_col=0)
    assert matrix.loc["low", "high"] == pytest.approx(lineup_low_high["npv"].mean(), rel=1e-9)
    ranking = pd.read_csv(out / "ranking.csv")
    assert sorted(ranking["rank"]) == [1, 2, 3]
    assert ((ranking["ci_low"] <= ranking["mean_relative_npv"]) & (ranking["mean_relative_npv"] <= ranking["ci_high"])).all()
    # win rates over all appearances: each run hands out exactly one win
    assert (ranking["win_rate"] * ranking["runs"]).sum() == pytest.approx(36)
    for name in ("summary.md", "equilibrium.json", "ranking_by_scenario.csv", "ranking_by_sweep.csv",
                 "payoff_heatmap.png", "npv_distributions.png", "ranking.png", "equilibrium.png"):
        assert (out / name).exists(), name


def test_lineups_cover_every_seat_equally():
    perms = lineups(3, 2, "permutations")
    assert len(perms) == 9 and len(set(perms)) == 9
    rotations = lineups(3, 3, "rotations")
    # 10 multisets of size 3: 3 constant ones once, the 7 others in 3 rotations each
    assert len(rotations) == 3 + 7 * 3
    for seat in range(3):
        counts = np.bincount([r[seat] for r in rotations], minlength=3)
        assert (counts == counts[0]).all()


@pytest.mark.parametrize("replace,field", [
    ('policy = "catch_up"', 'policy = "catchup"'),
    ('alpha = 0.2', 'alpha = 1.2'),
    ('"market.gamma"', '"market.gama"'),
    ('lineup_size = 2', 'lineup_size = 0'),
    ('seeds = 2', 'seeds = -1'),
])
def test_bad_tournament_files_exit_2_naming_the_field(tmp_path, capsys, replace, field):
    path = write(tmp_path)
    path.write_text(path.read_text().replace(replace, field))
    assert main(["tournament", str(path), "--out", str(tmp_path / "out"), "--serial", "--no-progress"]) == 2
    err = capsys.readouterr().err
    expected = {'policy = "catchup"': ("entrants[2].policy", "did you mean 'catch_up'"),
                'alpha = 1.2': ("entrants[0].params.alpha", "[0.0, 1.0]"),
                '"market.gama"': ('sweep.grid."market.gama"', "did you mean 'market.gamma'"),
                'lineup_size = 0': ("lineup_size", "an integer in [1, 16]"),
                'seeds = -1': ("seeds", "an integer")}[field]
    assert str(path) in err
    for text in expected:
        assert text in err
    assert "Traceback" not in err


@pytest.mark.parametrize("content,reason", [
    (b'name = "caf\xe9"\n', "not UTF-8"),  # Latin-1, as an editor on another platform might save it
    (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
    (b"x = " + b"{ a = " * 3000 + b"1" + b" }" * 3000 + b"\n", "nested too deeply"),
])
def test_unreadable_tournament_files_exit_2_in_one_line(tmp_path, capsys, content, reason):
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    assert main(["tournament", str(path), "--out", str(tmp_path / "out"), "--serial", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and reason in err


def test_runs_with_planners_are_batched_first_and_every_run_is_played_once(tmp_path):
    """With a cost estimate the batches are cut from the dearest runs first (so the cheap ones end a
    tournament, when workers finish together); every run is still played exactly once."""
    from labrace.tournaments.execute import SerialExecutor, play
    from labrace.tournaments.plan import planning_labs
    from labrace.version import labrace_version

    version = labrace_version()
    tasks = plan_runs(load_tournament("quick"), version)
    expected = {t.key: sum(lab.policy.name == "pontryagin" for lab in t.config.labs) for t in tasks}
    assert {t.key: planning_labs(t) for t in tasks} == expected  # of the quick entrants, only pontryagin plans
    batches: list[list[str]] = []

    def record(batch, _version):
        batches.append([t.key for t in batch])
        return [{"key": t.key, "seat": 0, "status": "ok"} for t in batch]

    store = ResultsStore(tmp_path, schema=pa.schema([("key", pa.string()), ("seat", pa.int64()),
                                                     ("status", pa.string())]))
    report = play(tasks, store, SerialExecutor(), version, 10, progress=False, work=record, cost=planning_labs)
    order = [expected[key] for batch in batches for key in batch]
    assert report.new == len(tasks) and sorted(k for b in batches for k in b) == sorted(expected)
    assert order == sorted(order, reverse=True) and order[0] == 2 and order[-1] == 0
    assert max(len(b) for b in batches) == 10
