"""``labrace reproduce equilibria --quick``: every output is written and the kinds' numbers bear out the
report's explanation (the lambda = 4 duopoly, model step 0.1)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from labrace.cli.main import main


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    directory = tmp_path_factory.mktemp("equilibria")
    assert main(["reproduce", "equilibria", "--out", str(directory), "--quick", "--quiet"]) == 0
    return directory


@pytest.fixture(scope="module")
def outcomes(out):
    summary = json.loads((out / "summary.json").read_text())
    rows = pd.DataFrame(summary["duopolies"]["duopoly_lambda4"]["outcomes"])
    return rows[rows.lab == rows.lab.iloc[0]].set_index("kind"), summary["duopolies"]["duopoly_lambda4"]


def test_every_output_is_written(out):
    for name in ("summary.json", "paths.csv", "report.md", "fig_duopoly_lambda4.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "fig_duopoly_lambda4.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    paths = pd.read_csv(out / "paths.csv")
    assert set(paths.columns) == {"kind", "lab", "t", "alpha", "capability", "duopoly"}
    report = (out / "report.md").read_text()
    assert "Why the kinds differ" in report and "| Markov-perfect |" in report


def test_the_kinds_differ_as_the_report_explains(outcomes):
    rows, block = outcomes
    dt = 0.1
    alone, open_loop = rows.switch_time["lab alone"], rows.switch_time["open-loop Nash"]
    assert open_loop > alone + 0.3
    # Receding-horizon Nash follows the open-loop equilibrium; the naive forecast switches early, saw-tooths.
    assert abs(rows.switch_time["pontryagin (nash)"] - open_loop) <= dt
    assert rows.sign_changes["pontryagin (nash)"] == 0
    assert rows.switch_time["pontryagin (constant_alpha)"] <= alone
    assert rows.sign_changes["pontryagin (constant_alpha)"] > 0
    assert rows.npv["pontryagin (nash)"] == pytest.approx(rows.npv["nash policy (committed)"], rel=1e-4)
    # The Markov-perfect solve converged on both grids and the feedback policy plays it in the model
    # (the model books revenue on each step's starting state: about 1% at dt = 0.1).
    assert all(level["converged"] for level in block["markov_perfect"]["levels"])
    assert rows.npv["feedback policy"] == pytest.approx(rows.npv["Markov-perfect"], rel=0.02)
