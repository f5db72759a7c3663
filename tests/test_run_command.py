"""``labrace run`` end to end: the files it writes, their agreement with each other, byte-for-byte
reproduction from the resolved scenario, seeded shocks, atomic replacement of the results directory, and
the ``validate`` and ``scenarios`` listings."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main
from scenarios.loader import config_from_dict, load_scenario, shipped_scenarios

SMALL = """
name = "small"
description = "two labs, a short horizon"
horizon = 1.5
dt = 0.1
seed = 7

[market]
delta0 = 1.0
contest = 3.0

[[labs]]
name = "planner"
policy = { name = "pontryagin", params = { replan_every = 5, grid = 20 } }

[[labs]]
name = "rule"
compute0 = 150.0
policy = { name = "constant", params = { alpha = 0.4 } }
"""

SHOCKS = """
[shocks]
compute_noise = 0.3
breakthrough_rate = 2.0
demand_noise = 0.2
"""


def _scenario(tmp_path: Path, text: str = SMALL, name: str = "small.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _run(*args: str) -> int:
    return main(["run", *map(str, args)])


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """One complete run with figures and Parquet, shared by the read-only checks."""
    tmp_path = tmp_path_factory.mktemp("run")
    out = tmp_path / "results"
    assert _run(_scenario(tmp_path), "--out", out, "--parquet", "--quiet") == 0
    return out


def test_run_writes_every_output(finished: Path):
    names = {p.name for p in finished.iterdir()}
    assert {"labs.csv", "market.csv", "summary.json", "scenario.toml", "labs.parquet", "market.parquet",
            "alpha.png", "capability.png", "share.png", "price.png", "npv.png"} <= names
    for png in finished.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in finished.parent.iterdir() if p.name.startswith(".")]


def test_tables_have_the_documented_columns_and_agree_with_each_other(finished: Path):
    labs = pd.read_csv(finished / "labs.csv")
    market = pd.read_csv(finished / "market.csv")
    for column in ("t", "lab", "policy", "alpha", "capability", "compute", "capacity", "revenue", "share",
                   "npv"):
        assert column in labs.columns
    for column in ("t", "price", "tokens", "revenue_pool"):
        assert column in market.columns
    assert len(labs) == 2 * len(market) == 2 * 15
    per_step = labs.groupby("t")[["capacity", "revenue"]].sum()
    np.testing.assert_allclose(per_step["capacity"], market["tokens"], rtol=1e-12)
    np.testing.assert_allclose(per_step["revenue"], market["revenue_pool"], rtol=1e-9)
    served = market["tokens"] > 0
    np.testing.assert_allclose(market.loc[served, "price"] * market.loc[served, "tokens"],
                               market.loc[served, "revenue_pool"], rtol=1e-9)
    # the rule lab really played its constant share
    assert np.allclose(labs.loc[labs["lab"] == "rule", "alpha"], 0.4)
    pd.testing.assert_frame_equal(pd.read_parquet(finished / "labs.parquet"), labs, check_exact=False, rtol=1e-15)


def test_summary_matches_the_tables_and_records_provenance(finished: Path):
    summary = json.loads((finished / "summary.json").read_text())
    labs = pd.read_csv(finished / "labs.csv")
    last = labs[labs["t"] == labs["t"].max()].set_index("lab")
    by_lab = {entry["lab"]: entry for entry in summary["labs"]}
    assert set(by_lab) == {"planner", "rule"}
    for name, entry in by_lab.items():
        assert entry["npv"] == pytest.approx(last.loc[name, "npv"], rel=1e-12)
        assert entry["mean_alpha"] == pytest.approx(labs.loc[labs["lab"] == name, "alpha"].mean(), rel=1e-12)
    assert summary["winner"] == max(by_lab, key=lambda lab: by_lab[lab]["npv"])
    config = load_scenario(finished / "scenario.toml")
    provenance = summary["provenance"]
    assert provenance["seed"] == 7
    assert provenance["scenario_key"] == config.key(provenance["labrace_version"])
    assert summary["description"] == "two labs, a short horizon"


def test_resolved_scenario_is_complete_and_equal_to_the_source(finished: Path, tmp_path: Path):
    source = load_scenario(_scenario(tmp_path))
    resolved = tomllib.loads((finished / "scenario.toml").read_text())
    assert config_from_dict(resolved) == source
    assert set(resolved["market"]) >= {"omega", "gamma", "delta0", "demand", "demand_growth"}
    assert "replan_every" in resolved["labs"][0]["policy"]["params"]
    assert "tol" in resolved["labs"][0]["policy"]["params"]


def test_rerunning_the_resolved_scenario_reproduces_labs_csv_byte_for_byte(finished: Path, tmp_path: Path):
    again = tmp_path / "again"
    assert _run(finished / "scenario.toml", "--out", again, "--no-figures", "--quiet") == 0
    assert (again / "labs.csv").read_bytes() == (finished / "labs.csv").read_bytes()
    assert (again / "market.csv").read_bytes() == (finished / "market.csv").read_bytes()


def test_shocks_same_seed_identical_different_seed_differs(tmp_path: Path):
    path = _scenario(tmp_path, SMALL.replace("[market]", SHOCKS + "\n[market]"))
    outputs = {}
    for label, extra in (("a", []), ("b", []), ("c", ["--seed", "8"])):
        out = tmp_path / label
        assert _run(path, "--out", out, "--no-figures", "--quiet", *extra) == 0
        outputs[label] = (out / "labs.csv").read_bytes()
    assert outputs["a"] == outputs["b"]
    assert outputs["a"] != outputs["c"]
    assert json.loads((tmp_path / "c" / "summary.json").read_text())["provenance"]["seed"] == 8


def test_existing_results_directory_is_replaced_whole(tmp_path: Path):
    out = tmp_path / "results"
    assert _run(_scenario(tmp_path), "--out", out, "--no-figures", "--quiet") == 0
    (out / "stale.txt").write_text("from an older run")
    assert _run(_scenario(tmp_path), "--out", out, "--no-figures", "--quiet") == 0
    assert not (out / "stale.txt").exists()
    assert (out / "labs.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "small.toml"]


def test_a_failing_run_writes_nothing(tmp_path: Path, monkeypatch):
    import labrace.simulation.outputs as outputs

    out = tmp_path / "results"
    out.mkdir()
    (out / "labs.csv").write_text("previous")
    previous = '{"provenance": {"labrace_version": "0", "scenario_key": "0"}}'
    (out / "summary.json").write_text(previous)

    def broken(result, folder):
        raise RuntimeError("figure backend failed")

    monkeypatch.setattr("labrace.simulation.figures.write_figures", broken)
    with pytest.raises(RuntimeError):
        outputs.write_run(_fake_result(tmp_path), out)
    assert sorted(p.name for p in out.iterdir()) == ["labs.csv", "summary.json"]
    assert (out / "labs.csv").read_text() == "previous" and (out / "summary.json").read_text() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "tiny.toml"]


def _fake_result(tmp_path: Path):
    """A real (tiny) run result to feed the writer directly."""
    from labrace.simulation.run import run_config

    tiny = _scenario(tmp_path, 'horizon = 0.3\n[[labs]]\npolicy = "constant"\n', "tiny.toml")
    return run_config(load_scenario(tiny))


def test_stdout_summary_names_the_winner_and_the_output_directory(tmp_path: Path, capsys):
    out = tmp_path / "results"
    assert _run(_scenario(tmp_path), "--out", out, "--no-figures") == 0
    printed = capsys.readouterr().out
    winner = json.loads((out / "summary.json").read_text())["winner"]
    first = next(line for line in printed.splitlines() if line.strip().startswith("1."))
    assert winner in first
    assert f"outputs written to {out}" in printed


def test_validate_accepts_every_shipped_scenario_and_prints_resolved_toml(capsys):
    names = sorted(shipped_scenarios())
    assert main(["validate", *names]) == 0
    assert capsys.readouterr().out.count("ok ") == len(names)
    assert main(["validate", "--resolved", "duopoly"]) == 0
    assert config_from_dict(tomllib.loads(capsys.readouterr().out)) == load_scenario("duopoly")


def test_scenarios_lists_each_shipped_scenario_on_one_line(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(shipped_scenarios())


def test_installed_command_reports_errors_in_one_line_without_traceback(tmp_path: Path):
    bad = _scenario(tmp_path, '[[labs]]\npolicy = { name = "constant", params = { alfa = 0.2 } }\n', "bad.toml")
    done = subprocess.run([sys.executable, "-m", "labrace.cli.main", "run", str(bad), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"labrace run: error: {bad}: labs[0].policy.params.alfa: unknown parameter; "
                                   "did you mean 'alpha'? (allowed: alpha)")
    assert not (tmp_path / "o").exists()
