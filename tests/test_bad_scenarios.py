"""Invalid scenario files: every one is refused with exit status 2, one line naming the file and the exact
field path, and nothing is written to (or changed in) the output directory."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs.params import ParameterError
from labrace.cli.main import main
from scenarios.loader import config_from_dict, load_scenario
from scenarios.schema import ScenarioError

LAB = '[[labs]]\npolicy = "constant"\n'

# (case id, file text, field path the error must name, a word the message must contain)
BAD_FILES = [
    ("unknown top-level key", 'horzon = 5\n' + LAB, "horzon", "'horizon'"),
    ("horizon wrong type", 'horizon = "ten"\n' + LAB, "horizon", "number"),
    ("dt zero", 'dt = 0.0\n' + LAB, "dt", "[1e-06, 10.0]"),
    ("dt longer than horizon", 'horizon = 1.0\ndt = 2.0\n' + LAB, "dt", "longer"),
    ("negative seed", 'seed = -1\n' + LAB, "seed", "integer"),
    ("fractional seed", 'seed = 1.5\n' + LAB, "seed", "integer"),
    ("description not text", 'description = 5\n' + LAB, "description", "string"),
    ("empty scenario name", 'name = ""\n' + LAB, "name", "non-empty"),
    ("market not a table", 'market = 3\n' + LAB, "market", "table"),
    ("unknown market key", '[market]\nomeg = 1.0\n' + LAB, "market.omeg", "'omega'"),
    ("gamma negative", '[market]\ngamma = -1.0\n' + LAB, "market.gamma", "out of range"),
    ("contest negative", '[market]\ncontest = -2.0\n' + LAB, "market.contest", "out of range"),
    ("compute price negative", '[market]\ncompute_price = -1.0\n' + LAB, "market.compute_price", "out of range"),
    ("hardware growth too fast", '[market]\nhardware_growth = 3.0\n' + LAB, "market.hardware_growth",
     "[-1.0, 2.0]"),
    ("reinvest above one", '[market]\ncompute_price = 1.0\n[[labs]]\nreinvest = 1.5\n', "labs[0].reinvest",
     "[0.0, 1.0] or omitted"),
    ("reinvest without a compute price", '[[labs]]\nreinvest = 0.5\n', "labs[0].reinvest", "compute_price > 0"),
    ("depreciation zero", '[[labs]]\ndepreciation = 0.0\n', "labs[0].depreciation", "(0.0, 10.0]"),
    ("funding negative", '[[labs]]\nfunding = -5.0\n', "labs[0].funding", "out of range"),
    ("unknown demand form", '[market]\ndemand = "linear"\n' + LAB, "market.demand", "'capacity'"),
    ("shock out of range", '[shocks]\ncompute_noise = 5.0\n' + LAB, "shocks.compute_noise", "out of range"),
    ("unknown shock", '[shocks]\nbreakthrough = 1.0\n' + LAB, "shocks.breakthrough", "did you mean"),
    ("labs not an array", 'labs = 5\n', "labs", "array"),
    ("labs empty", 'labs = []\n', "labs", "array"),
    ("lab not a table", 'labs = [1]\n', "labs[0]", "table"),
    ("unknown lab key", '[[labs]]\ncompute = 100.0\n', "labs[0].compute", "'compute0'"),
    ("growth out of range in second lab", LAB + '[[labs]]\ngrowth = 5.0\n', "labs[1].growth", "[-1.0, 2.0]"),
    ("compute0 boolean", '[[labs]]\ncompute0 = true\n', "labs[0].compute0", "number"),
    ("lab name not text", '[[labs]]\nname = 3\n', "labs[0].name", "string"),
    ("duplicate lab names", '[[labs]]\nname = "a"\n[[labs]]\nname = "a"\n', "labs[1].name", "duplicate"),
    ("replica name clash", '[[labs]]\nname = "a-2"\n[[labs]]\nname = "a"\ncount = 2\n', "labs[1].name",
     "duplicate"),
    ("count zero", '[[labs]]\ncount = 0\n', "labs[0].count", "[1, 10000]"),
    ("count fractional", '[[labs]]\ncount = 2.5\n', "labs[0].count", "integer"),
    ("unknown law", '[[labs]]\nlaw = "chinchila"\n', "labs[0].law", "'chinchilla'"),
    ("law_params not a table", '[[labs]]\nlaw_params = 3\n', "labs[0].law_params", "table"),
    ("param of another law", '[[labs]]\nlaw_params = { data_cap = 1e12 }\n', "labs[0].law_params.data_cap",
     "epsilon"),
    ("epsilon at its open bound", '[[labs]]\nlaw_params = { epsilon = 1.0 }\n', "labs[0].law_params.epsilon",
     "(0.0, 1.0)"),
    ("data cap zero", '[[labs]]\nlaw = "chinchilla"\nlaw_params = { data_cap = 0.0 }\n',
     "labs[0].law_params.data_cap", "out of range"),
    ("unknown policy name", '[[labs]]\npolicy = "pontryagn"\n', "labs[0].policy", "'pontryagin'"),
    ("unknown policy in table", '[[labs]]\n[labs.policy]\nname = "constnt"\n', "labs[0].policy.name",
     "'constant'"),
    ("policy not name or table", '[[labs]]\npolicy = 3\n', "labs[0].policy", "table"),
    ("unknown policy table key", '[[labs]]\n[labs.policy]\nnme = "constant"\n', "labs[0].policy.nme",
     "'name'"),
    ("policy params not a table", '[[labs]]\npolicy = { name = "constant", params = "x" }\n',
     "labs[0].policy.params", "table"),
    ("parameter the policy lacks", '[[labs]]\npolicy = { name = "constant", params = { k = 1 } }\n',
     "labs[0].policy.params.k", "alpha"),
    ("policy parameter out of range", LAB + '[[labs]]\npolicy = { name = "constant", params = { alpha = 2.0 } }\n',
     "labs[1].policy.params.alpha", "[0.0, 1.0]"),
    ("policy parameter wrong kind", '[[labs]]\npolicy = { name = "pontryagin", params = { replan_every = 2.5 } }\n',
     "labs[0].policy.params.replan_every", "integer"),
    ("policy choice unknown", '[[labs]]\npolicy = { name = "pontryagin", params = { forecast = "psychic" } }\n',
     "labs[0].policy.params.forecast", "'trend'"),
]


def _run(args: list[str], capsys) -> tuple[int, str]:
    status = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return status, captured.err


def test_the_table_is_large_and_has_distinct_paths():
    assert len(BAD_FILES) >= 20
    assert len({case[0] for case in BAD_FILES}) == len(BAD_FILES)


@pytest.mark.parametrize("case, text, path, word", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_with_its_field_path(tmp_path: Path, capsys, case, text, path, word):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert caught.value.path == path
    assert caught.value.source == str(scenario)
    out = tmp_path / "results"
    status, err = _run(["run", str(scenario), "--out", str(out), "--quiet"], capsys)
    assert status == 2
    assert err.count("\n") == 1, err
    assert f"{scenario}: {path}: " in err
    assert word in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


@pytest.mark.parametrize("case, text, path, word", BAD_FILES[:6], ids=[c[0] for c in BAD_FILES[:6]])
def test_bad_file_leaves_an_existing_results_directory_untouched(tmp_path: Path, capsys, case, text, path, word):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(text)
    out = tmp_path / "results"
    out.mkdir()
    (out / "labs.csv").write_text("previous run\n")
    status, _ = _run(["run", str(scenario), "--out", str(out)], capsys)
    assert status == 2
    assert [p.name for p in out.iterdir()] == ["labs.csv"]
    assert (out / "labs.csv").read_text() == "previous run\n"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path, capsys):
    scenario = tmp_path / "broken.toml"
    scenario.write_text('name = "x"\nhorizon = = 3\n')
    status, err = _run(["validate", str(scenario)], capsys)
    assert status == 2
    assert str(scenario) in err and "line 2" in err and "TOML syntax error" in err


@pytest.mark.parametrize("source", ["missing.toml", "sub/missing.toml"])
def test_missing_file_is_named(tmp_path: Path, capsys, source):
    path = tmp_path / source
    status, err = _run(["run", str(path), "--out", str(tmp_path / "out")], capsys)
    assert status == 2 and f"{path}: no such file" in err
    assert not (tmp_path / "out").exists()


def test_unknown_shipped_name_suggests_the_closest(capsys):
    status, err = _run(["validate", "duopol"], capsys)
    assert status == 2 and "did you mean 'duopoly'?" in err


def test_directory_is_not_a_scenario(tmp_path: Path, capsys):
    status, err = _run(["validate", str(tmp_path)], capsys)
    assert status == 2 and "is a directory" in err


def test_output_path_that_is_a_file_is_refused_before_running(tmp_path: Path, capsys):
    target = tmp_path / "taken"
    target.write_text("keep me")
    status, err = _run(["run", "troynikov", "--out", str(target)], capsys)
    assert status == 2 and "--out" in err
    assert target.read_text() == "keep me"


def test_validate_reports_every_bad_file_and_still_accepts_good_ones(tmp_path: Path, capsys):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(LAB)
    bad.write_text('[[labs]]\ncount = 0\n')
    status = main(["validate", str(bad), str(good), "missing.toml"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("error:") == 2
    assert f"ok {good}" in captured.out


def test_argparse_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--no-such-flag"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["validate"])
    assert caught.value.code == 2


# Arbitrary TOML-like data: the validator must answer with a ParameterError, never anything else.
SCALARS = (st.booleans() | st.integers(-2 ** 63, 2 ** 63 - 1) | st.floats(allow_nan=True)
           | st.text(string.ascii_letters + "_", max_size=12))
KEYS = st.sampled_from(["name", "labs", "market", "policy", "params", "law", "law_params", "count", "alpha",
                        "horizon", "dt", "seed", "gamma", "contest", "shocks", "compute0", "epsilon", "x"])
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=5))
def test_arbitrary_data_is_accepted_or_refused_with_a_parameter_error(data):
    try:
        config = config_from_dict(data, "fuzz.toml")
    except ScenarioError as error:
        assert error.source == "fuzz.toml"
        assert str(error).startswith("fuzz.toml")
    except ParameterError as error:  # pragma: no cover - would lose the file name
        pytest.fail(f"error without the file name: {error}")
    else:
        assert config.labs
