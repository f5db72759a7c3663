"""``labrace run --samples N``: identical numbers for any worker count, resumption without recomputing,
prefix-stable samples, intervals and fans that agree with the samples, and the seed study as a special
case."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main
from labrace.uncertainty.montecarlo import draw
from labrace.uncertainty.samples import STORE

SCENARIO = """
name = "uncertain"
horizon = 3.0
dt = 0.1
seed = 11

[market]
delta0 = { distribution = "uniform", low = 0.5, high = 3.0 }

[shocks]
compute_noise = 0.2

[[labs]]
name = "a"
compute0 = { distribution = "lognormal", p5 = 80, median = 100, p95 = 130 }
policy = { name = "constant", params = { alpha = { distribution = "triangular", low = 0.2, mode = 0.4, high = 0.7 } } }

[[labs]]
name = "b"
policy = "myopic"
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mc") / "uncertain.toml"
    path.write_text(SCENARIO)
    return path


def _mc(scenario: Path, out: Path, n: int, *extra: str) -> int:
    return main(["run", str(scenario), "--samples", str(n), "--out", str(out), "--quiet", *extra])


@pytest.fixture(scope="module")
def serial(scenario: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "mc"
    assert _mc(scenario, out, 12, "--workers", "1") == 0
    return out


def test_one_and_two_worker_processes_give_bit_identical_samples(scenario: Path, serial: Path, tmp_path: Path):
    pooled = tmp_path / "pooled"
    assert _mc(scenario, pooled, 12, "--workers", "2", "--no-figures") == 0
    for name in ("samples.csv", "intervals.csv", "fans.csv"):
        assert (serial / name).read_bytes() == (pooled / name).read_bytes(), name


def test_samples_vary_the_parameters_and_the_intervals_are_their_quantiles(serial: Path):
    samples = pd.read_csv(serial / "samples.csv")
    assert len(samples) == 24 and set(samples["status"]) == {"ok"}
    first = samples[samples["lab"] == "a"]
    assert first["market.delta0"].between(0.5, 3.0).all() and first["labs[0].compute0"].nunique() == 12
    intervals = pd.read_csv(serial / "intervals.csv").set_index(["lab", "measure"])
    for lab, rows in samples.groupby("lab"):
        for measure in ("npv", "mean_alpha", "final_capability", "revenue_share"):
            values = rows[measure].to_numpy()
            got = intervals.loc[(lab, measure)]
            assert got["median"] == pytest.approx(np.median(values), rel=1e-12)
            assert got["low"] == pytest.approx(np.quantile(values, 0.05), rel=1e-12)
            assert got["high"] == pytest.approx(np.quantile(values, 0.95), rel=1e-12)
    # the constant lab's training share is its sampled alpha, whatever else was drawn
    np.testing.assert_allclose(first["mean_alpha"], first["labs[0].policy.params.alpha"], rtol=1e-12)


def test_the_fans_end_at_the_final_outcomes(serial: Path):
    fans = pd.read_csv(serial / "fans.csv")
    samples = pd.read_csv(serial / "samples.csv")
    last = fans[fans["quantity"] == "npv"].groupby("lab").tail(1).set_index("lab")
    for lab, rows in samples.groupby("lab"):
        quantiles = np.quantile(rows["npv"], [0.05, 0.5, 0.95])
        np.testing.assert_allclose(last.loc[lab, ["q5", "q50", "q95"]].to_numpy(float), quantiles, rtol=1e-9)
    assert {p.name for p in serial.glob("fan_*.png")} == {"fan_alpha.png", "fan_capability.png", "fan_share.png",
                                                          "fan_npv.png"}
    summary = json.loads((serial / "summary.json").read_text())
    assert summary["monte_carlo"]["ok"] == 12 and len(summary["monte_carlo"]["parameters"]) == 3
    assert summary["provenance"]["scenario_key"]


def test_resuming_plays_only_missing_samples_and_a_larger_study_keeps_the_first(scenario: Path, serial: Path,
                                                                               tmp_path: Path, capsys):
    out = tmp_path / "grow"
    assert _mc(scenario, out, 5, "--no-figures") == 0
    assert main(["run", str(scenario), "--samples", "12", "--out", str(out), "--no-figures"]) == 0
    assert "7 new, 5 already done" in capsys.readouterr().out
    # played in this process, five samples first: the same bytes as one worker process playing all twelve
    assert (out / "samples.csv").read_bytes() == (serial / "samples.csv").read_bytes()
    assert main(["run", str(scenario), "--samples", "12", "--out", str(out), "--no-figures"]) == 0
    assert "0 new, 12 already done" in capsys.readouterr().out
    assert (out / STORE).is_dir()


def test_draws_are_prefix_stable():
    seeds, unit = draw(3, 10, 4)
    first, head = draw(3, 4, 4)
    assert seeds[:4] == first and np.array_equal(unit[:4], head)
    assert unit.min() >= 0 and unit.max() < 1 and len(set(seeds)) == 10


def test_without_distributions_the_samples_are_the_seed_study(tmp_path: Path):
    path = tmp_path / "shocks.toml"
    path.write_text('horizon = 2.0\nseed = 4\n[shocks]\ncompute_noise = 0.3\nbreakthrough_rate = 1.0\n'
                    '[[labs]]\npolicy = { name = "constant", params = { alpha = 0.5 } }\n')
    assert _mc(path, tmp_path / "mc", 6, "--no-figures") == 0
    assert main(["run", str(path), "--seeds", "6", "--out", str(tmp_path / "seeds"), "--quiet", "--no-figures"]) == 0
    mc = pd.read_csv(tmp_path / "mc" / "samples.csv")
    seeds = pd.read_csv(tmp_path / "seeds" / "seeds.csv")
    assert list(mc["seed"]) == list(seeds["seed"])
    np.testing.assert_array_equal(mc["npv"].to_numpy(), seeds["npv"].to_numpy())


def test_too_many_samples_are_refused_before_anything_runs(scenario: Path, tmp_path: Path, capsys):
    out = tmp_path / "big"
    assert _mc(scenario, out, 20_001) == 2
    assert "--samples: 20,001 runs are more than the limit of 10,000" in capsys.readouterr().err
    assert not out.exists()
    assert _mc(scenario, out, 3, "--max-samples", "2") == 2


def test_a_folder_of_other_files_is_refused(scenario: Path, tmp_path: Path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert _mc(scenario, tmp_path, 2) == 2
    assert "--out" in capsys.readouterr().err and (tmp_path / "keep.txt").exists()


def test_a_sample_that_leaves_the_floating_point_range_is_a_failed_row_and_exit_1(tmp_path: Path, capsys):
    path = tmp_path / "overflow.toml"
    path.write_text('horizon = 200.0\ndt = 1.0\n[market]\ngamma = 4.0\n[[labs]]\n'
                    'growth = { distribution = "uniform", low = 0.0, high = 2.0 }\n'
                    'policy = { name = "constant", params = { alpha = 0.5 } }\n')
    out = tmp_path / "mc"
    assert main(["run", str(path), "--samples", "6", "--out", str(out), "--no-figures"]) == 1
    assert "3 of 6 samples failed" in capsys.readouterr().err
    samples = pd.read_csv(out / "samples.csv")
    failed = samples[samples["status"] == "failed"]
    assert len(failed) == 3 and failed["error"].str.contains("OutOfRangeError").all()
    # faster growth overflows sooner: the failed samples are the fastest-growing ones
    assert failed["labs[0].growth"].min() > samples.loc[samples["status"] == "ok", "labs[0].growth"].max()
    npv = samples.loc[samples["status"] == "ok", "npv"]
    intervals = pd.read_csv(out / "intervals.csv").set_index(["lab", "measure"])
    assert intervals.loc[("lab1", "npv"), "median"] == pytest.approx(np.median(npv), rel=1e-12)
