"""What a tournament's analysis says: a ranking per sweep point, an honest interval, degenerate tournaments,
and a payoff heatmap whose colours read as better or worse than average."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labrace.cli.main import main
from labrace.tournaments import figures, reference, spec
from test_tournament import write

ONE_ENTRANT = """
name = "alone"
lineup_size = {size}
scenarios = [{{ name = "tiny", horizon = 2.0, dt = 0.2, labs = [{{ compute0 = 200.0 }}, {{ compute0 = 100.0 }}] }}]
[[entrants]]
policy = "{policy}"
"""


def play(path, out) -> int:
    return main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress"])


def test_ranking_per_sweep_point_matches_the_rows(tmp_path):
    path = write(tmp_path)
    out = tmp_path / "out"
    assert play(path, out) == 0
    by_sweep = pd.read_csv(out / "ranking_by_sweep.csv")
    assert sorted(by_sweep["market.gamma"].unique()) == [1.5, 2.0]
    assert len(by_sweep) == 2 * 3 and (by_sweep.groupby("sweep")["rank"].min() == 1).all()
    # recompute one point's mean relative NPV by hand: NPV over the seat's mean in its environment
    rows = pd.read_parquet(out / "runs.parquet")
    point = rows[rows["sweep"] == json.dumps({"market.gamma": 2.0})].copy()
    point["relative"] = point["npv"] / point.groupby(["seed", "seat"])["npv"].transform("mean")
    expected = point.groupby("policy")["relative"].mean()
    got = by_sweep[by_sweep["market.gamma"] == 2.0].set_index("policy")["mean_relative_npv"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, rtol=1e-12)
    summary = (out / "summary.md").read_text()
    assert "## Ranking per sweep point" in summary and "market.gamma = 2: 1. " in summary


def test_summary_says_what_the_interval_is(tmp_path):
    path = write(tmp_path)
    assert play(path, tmp_path / "out") == 0
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "95% CI" not in summary
    assert "not sampling uncertainty" in summary and "designed set of line-ups" in summary


@pytest.mark.parametrize("size,policy", [(2, "myopic"), (2, "constant"), (1, "constant")])
def test_single_entrant_writes_its_analysis_and_skips_comparison_figures(tmp_path, size, policy):
    path = tmp_path / "alone.toml"
    path.write_text(ONE_ENTRANT.format(size=size, policy=policy))
    out = tmp_path / "out"
    assert play(path, out) == 0
    for name in ("ranking.csv", "ranking_by_scenario.csv", "ranking_by_sweep.csv", "equilibrium.json", "summary.md"):
        assert (out / name).exists(), name
    assert not list(out.glob("*.png"))
    summary = (out / "summary.md").read_text()
    assert "## Figures" in summary and "single entrant" in summary
    assert "single entrant" in json.loads((out / "equilibrium.json").read_text())["skipped"]


def test_payoff_heatmap_diverges_from_a_neutral_1(tmp_path, monkeypatch):
    drawn = []
    monkeypatch.setattr(figures, "_save", lambda fig, path: drawn.append(fig))
    matrix = pd.DataFrame([[1.0, 1.3], [0.8, 1.05]], index=["a", "b"], columns=["a", "b"])
    figures.payoff_heatmap(matrix, tmp_path / "heatmap.png")
    mesh = drawn[0].axes[0].collections[0]

    def colour(value: float) -> np.ndarray:
        return np.asarray(mesh.cmap(mesh.norm(value)))[:3]

    assert mesh.norm(1.0) == pytest.approx(0.5)
    assert mesh.norm(1.3) - 0.5 == pytest.approx(0.5 - mesh.norm(0.7))  # symmetric about 1
    neutral, better, worse = colour(1.0), colour(1.3), colour(0.7)
    assert neutral.min() > 0.9  # near white
    assert better[2] > better[0] and worse[0] > worse[2]  # blue above 1, red below


def test_tournament_format_is_documented_from_the_validators_declarations():
    document = (Path(__file__).parent.parent / "docs" / "tournaments.md").read_text(encoding="utf-8")
    assert reference.embed(document) == document, "run python -m labrace.tournaments.reference docs/tournaments.md"
    for keys in (spec.TOP_LEVEL_KEYS, spec.ENTRANT_KEYS, spec.SWEEP_KEYS, spec.SAMPLE_KEYS, spec.SEATINGS):
        for key in keys:
            assert f"`{key}`" in document, key
