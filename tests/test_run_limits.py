"""Bounds on the work a scenario may ask for: refused with exit 2 and one line naming the file and the
field before anything is allocated, and raised deliberately with ``--max-...``."""

from __future__ import annotations

from pathlib import Path

import pytest

from labrace.cli.main import main
from labrace.simulation import model
from scenarios.limits import Limits, check_limits
from scenarios.loader import load_scenario

CONSTANT = 'policy = "constant"\n'

# (case, file text, field the error names, the option that raises the limit)
TOO_LARGE = [
    ("steps", "horizon = 1000.0\ndt = 0.001\n[[labs]]\n" + CONSTANT, "dt", "--max-steps"),
    ("labs summed over entries", "[[labs]]\ncount = 600\n" + CONSTANT + "[[labs]]\nname = 'b'\ncount = 600\n"
     + CONSTANT, "labs[1].count", "--max-labs"),
    ("labs x steps", "horizon = 300.0\n[[labs]]\ncount = 1000\n" + CONSTANT, "labs", "--max-lab-steps"),
    ("solver grid x horizon", "horizon = 100.0\n[[labs]]\n" + CONSTANT + "[[labs]]\nname = 'p'\n"
     "policy = { name = 'pontryagin', params = { grid = 5000 } }\n", "labs[1].policy.params.grid",
     "--max-solver-points"),
    ("nash grid x horizon", "horizon = 1000.0\ndt = 1.0\n[[labs]]\npolicy = { name = 'nash', params = { grid = 1000 } }\n",
     "labs[0].policy.params.grid", "--max-solver-points"),
]


@pytest.mark.parametrize("case, text, path, option", TOO_LARGE, ids=[c[0] for c in TOO_LARGE])
def test_too_large_is_refused_before_allocating(tmp_path: Path, capsys, monkeypatch, case, text, path, option):
    scenario = tmp_path / "big.toml"
    scenario.write_text(text)
    monkeypatch.setattr(model, "Recorder", lambda *a, **k: pytest.fail("allocated before refusing"))
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{scenario}: {path}: " in err and option in err and "limit" in err
    assert main(["validate", str(scenario)]) == 2
    assert f"{scenario}: {path}: " in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_limit_raised_deliberately_lets_the_run_through(tmp_path: Path):
    scenario = tmp_path / "long.toml"
    scenario.write_text("horizon = 3.0\ndt = 0.001\n[[labs]]\n" + CONSTANT)
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--no-figures", "--max-steps", "2000"]) == 2
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--no-figures", "--max-steps", "3000"]) == 0
    assert (out / "labs.csv").exists()


def test_bad_limit_option_names_the_option(capsys):
    assert main(["run", "troynikov", "--max-labs", "0", "--quiet"]) == 2
    assert "--max-labs: 0 is out of range" in capsys.readouterr().err


def test_configs_from_python_are_checked_too():
    config = load_scenario("duopoly")
    check_limits(config)
    with pytest.raises(ValueError, match="labs x steps"):
        check_limits(config, Limits(lab_steps=10))
    import labrace

    with pytest.raises(ValueError, match="--max-steps"):
        labrace.run(config, limits=Limits(steps=10))
