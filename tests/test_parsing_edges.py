"""Scenario and tournament files at the edges of parsing: deep nesting, tiny steps, huge integers,
control characters, sweeps that break a scenario, and horizons that are not a whole number of steps.
Each is refused in one line naming the file and the field, or run with what happens said out loud."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.params import INT_RANGE, Param, ParameterError, printable
from labrace.cli.main import main
from scenarios.loader import load_scenario
from scenarios.schema import ScenarioError

LAB = '[[labs]]\npolicy = "constant"\n'


def _refused(tmp_path: Path, capsys, text: str) -> tuple[Path, str]:
    scenario = tmp_path / "edge.toml"
    scenario.write_text(text)
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return scenario, err


@pytest.mark.parametrize("text", [
    "x = " + "[" * 3000 + "]" * 3000 + "\n" + LAB,
    "[market]\ngamma = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n" + LAB,
    "description = 'x'\nlabs = " + "[" * 800 + "]" * 800 + "\n",
])
def test_deep_nesting_is_refused_as_a_whole(tmp_path: Path, capsys, text):
    scenario, err = _refused(tmp_path, capsys, text)
    assert f"{scenario}: " in err and ("nested too deeply" in err or "expected" in err)


@pytest.mark.parametrize("text, path", [
    ("dt = 1e-320\n" + LAB, "dt"),
    ("horizon = 1000.0\ndt = 1e-9\n" + LAB, "dt"),
    ("seed = 99999999999999999999999\n" + LAB, "seed"),
    ("seed = " + "9" * 5000 + "\n" + LAB, ""),
    ("horizon = " + "1" + "0" * 400 + "\n" + LAB, "horizon"),
    ("[[labs]]\npolicy = { name = 'pontryagin', params = { replan_every = 18446744073709551616 } }\n",
     "labs[0].policy.params.replan_every"),
])
def test_tiny_steps_and_huge_numbers_are_refused_naming_the_field(tmp_path: Path, capsys, text, path):
    scenario, err = _refused(tmp_path, capsys, text)
    assert f"{scenario}: {path}" in err


def test_every_integer_parameter_stays_within_64_bits():
    unbounded = Param("n", 0, "a count", kind="int", low=0)
    assert unbounded.check(INT_RANGE[1]) == INT_RANGE[1]
    with pytest.raises(ParameterError, match="fits in 64 bits"):
        unbounded.check(INT_RANGE[1] + 1)
    with pytest.raises(ParameterError, match="bits"):
        unbounded.check(10 ** 5000)


def test_control_characters_are_escaped_wherever_names_are_printed(tmp_path: Path, capsys):
    scenario = tmp_path / "ctl.toml"
    scenario.write_text('name = "a\\u001b[31mred"\n[[labs]]\nname = "b\\u001b[2Jc"\npolicy = "constant"\n'
                        '[[labs]]\nname = "b\\u001b[2Jc"\n')
    assert main(["validate", str(scenario)]) == 2  # duplicate name: the error quotes it
    assert "\x1b" not in capsys.readouterr().err
    scenario.write_text(scenario.read_text().rsplit("[[labs]]", 1)[0])
    assert main(["validate", str(scenario)]) == 0
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--no-figures"]) == 0
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out + printed.err and "a\\x1b[31mred" in printed.out
    assert "b\\x1b[2Jc" in printed.out
    bad = tmp_path / "key.toml"
    bad.write_text('"na\\u001bme" = 1\n' + LAB)
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "na\\x1bme" in err and err.count("\n") == 1
    assert printable("tab\there\nnewline") == "tab\\there\\nnewline"


def test_a_sweep_that_breaks_a_scenario_names_the_tournament_file_and_the_sweep_field(tmp_path: Path, capsys):
    tournament = tmp_path / "t.toml"
    tournament.write_text('scenarios = [{ name = "tiny", horizon = 1.0, dt = 0.2, labs = [{ compute0 = 100.0 }] }]\n'
                          'lineup_size = 1\n[[entrants]]\npolicy = "constant"\n[sweep.grid]\n"horizon" = [1.0, 0.1]\n')
    assert main(["tournament", str(tournament), "--out", str(tmp_path / "o"), "--serial", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f'{tournament}: sweep.grid."horizon": 0.1 makes scenario \'tiny\'' in err
    assert "longer than the horizon" in err


def test_a_horizon_that_is_not_a_whole_number_of_steps_is_said_out_loud(tmp_path: Path, capsys):
    scenario = tmp_path / "odd.toml"
    scenario.write_text("horizon = 1.05\n" + LAB)
    config = load_scenario(scenario)
    assert config.steps == 10 and config.end_time == pytest.approx(1.0)
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--quiet", "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert "horizon 1.05 is not a whole number of steps of dt 0.1" in err and "ends at t = 1" in err
    assert main(["validate", str(scenario)]) == 0
    assert "ends at t = 1" in capsys.readouterr().err
    even = tmp_path / "even.toml"
    even.write_text("horizon = 0.3\n" + LAB)
    assert main(["validate", str(even)]) == 0
    assert "note" not in capsys.readouterr().err
    assert load_scenario(even).step_mismatch() == ""


def test_scenario_errors_are_one_line_even_from_python():
    with pytest.raises(ScenarioError) as caught:
        from scenarios.loader import config_from_dict

        config_from_dict({"name": "x\ny", "labs": [{"name": "a\n"}, {"name": "a\n"}]}, "multi\nline.toml")
    assert "\n" not in str(caught.value)
