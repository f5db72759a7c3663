"""Extreme but accepted inputs: the market's identities hold for every one of them, and a run whose numbers
leave the floating-point range stops with one line naming the lab (or market quantity) and the time,
instead of writing ``Infinity`` to labs.csv or ``NaN`` to summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labrace.cli.main import main
from labrace.simulation.finite import OutOfRangeError
from market.clearing import capability_weights, clear, split_shares
from market.params import MarketParams

# A long-lived constant lab that trains some of the time; each case makes one quantity overflow.
CASE = "horizon = {horizon}\n[market]\n{market}\n[shocks]\n{shocks}\n[[labs]]\nname = 'big'\n{lab}\n" \
       "policy = {{ name = 'constant', params = {{ alpha = 0.5 }} }}\n[[labs]]\nname = 'small'\n" \
       "policy = {{ name = 'constant', params = {{ alpha = 0.5 }} }}\n"
OVERFLOWS = [
    ("large gamma", dict(horizon=50, market="gamma = 200.0", shocks="", lab="law_params = { beta_T = 100.0 }")),
    ("large beta_T", dict(horizon=100, market="gamma = 40.0", shocks="", lab="law_params = { beta_T = 1e200 }")),
    ("fast growth, long horizon", dict(horizon=1000, market="", shocks="", lab="growth = 2.0")),
    ("large breakthroughs", dict(horizon=200, market="", shocks="breakthrough_rate = 100.0\nbreakthrough_size = 10.0",
                                 lab="")),
]


@pytest.mark.parametrize("case, fields", OVERFLOWS, ids=[c[0] for c in OVERFLOWS])
def test_an_overflowing_run_fails_in_one_line_and_writes_nothing(tmp_path: Path, capsys, case, fields):
    scenario = tmp_path / "extreme.toml"
    scenario.write_text(CASE.format(**fields))
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--no-figures"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "Warning" not in err, err
    assert "left the floating-point range" in err and "at t = " in err
    assert not out.exists()


def test_a_run_near_the_edge_writes_only_finite_numbers(tmp_path: Path):
    scenario = tmp_path / "edge.toml"
    scenario.write_text(CASE.format(horizon=10, market="gamma = 20.0\ncontest = 500.0", shocks="",
                                    lab="law_params = { beta_T = 5.0 }"))
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--quiet", "--no-figures"]) == 0
    text = (out / "labs.csv").read_text() + (out / "market.csv").read_text()
    assert "inf" not in text.lower() and "nan" not in text.lower()
    summary = json.loads((out / "summary.json").read_text())  # strict JSON: no NaN or Infinity
    assert all(np.isfinite(entry["npv"]) for entry in summary["labs"])


def test_the_error_names_the_lab_and_the_quantity():
    import labrace
    from scenarios.loader import config_from_dict

    config = config_from_dict({"horizon": 1000, "labs": [{"name": "fast", "growth": 2.0, "policy": "constant"}]})
    with pytest.raises(OutOfRangeError, match=r"left the floating-point range .* at t = \d.*'fast'"):
        labrace.run(config)


def test_shares_survive_a_leader_that_stops_serving():
    """With a large contest exponent, weights relative to the most capable lab overall all underflow
    once it stops serving; relative to the most capable server they cannot."""
    M = np.array([100.0, 2.0, 1.0])
    K = np.array([0.0, 5.0, 5.0])
    result = clear(M, K, 0.0, MarketParams.build(contest=2000.0, delta0=0.1))
    assert result.shares.sum() == pytest.approx(1.0) and result.shares[1] == pytest.approx(1.0)
    assert result.revenue.sum() == pytest.approx(result.pool, rel=1e-12)


capability = st.floats(1e-300, 1e300)
capacity = st.floats(0.0, 1e150) | st.just(0.0)
exponent = st.floats(0.0, 1e6)


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(st.lists(capability, min_size=n, max_size=n),
                                                      st.lists(capacity, min_size=n, max_size=n))),
       exponent, st.floats(1e-6, 1e3), st.floats(0.0, 1e6), st.sampled_from(["quasilinear", "capacity"]),
       st.floats(1e-3, 1e3))
def test_identities_hold_for_extreme_accepted_values(labs, contest, gamma, delta0, demand, omega):
    M, K = (np.array(values) for values in labs)
    market = MarketParams.build(gamma=gamma, contest=contest, omega=omega, demand=demand,
                                **({"delta0": delta0} if demand == "quasilinear" else {}))
    with np.errstate(all="ignore"):
        result = clear(M, K, 0.0, market)
    shares = result.shares
    assert np.isfinite(shares).all() and (shares >= 0).all()
    if (K > 0).any():
        assert shares.sum() == pytest.approx(1.0, rel=1e-12)
        assert shares[K == 0].sum() == 0.0
    else:
        assert shares.sum() == 0.0
    if np.isfinite(result.pool):
        assert np.isfinite(result.revenue).all()
        assert result.revenue.sum() == pytest.approx(result.pool, rel=1e-9, abs=1e-300)


@settings(max_examples=300, deadline=None)
@given(st.lists(capability, min_size=1, max_size=6), st.floats(0.0, 1e12))
def test_weights_are_bounded_by_capacity_and_the_leading_server_keeps_its_own(M, contest):
    M = np.array(M)
    K = np.linspace(1.0, 2.0, M.size)
    weights = capability_weights(M, K, contest)
    assert np.isfinite(weights).all() and (weights <= K).all()
    assert weights[np.argmax(M)] == K[np.argmax(M)]
    assert split_shares(weights).sum() == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("contest", [0.5, 2.0, 300.0])
def test_weights_when_everyone_serves_are_those_of_the_general_form(contest):
    """The all-serving shortcut gives exactly the numbers of the masked form, which a lab that does not
    serve (and is not the most capable) forces without changing anyone else's weight."""
    M = np.array([1.0, 3.0, 1e-5, 40.0])
    K = np.array([2.0, 0.5, 1.0, 3.0])
    shortcut = capability_weights(M, K, contest)
    general = capability_weights(np.append(M, 1.0), np.append(K, 0.0), contest)
    assert general[-1] == 0.0
    np.testing.assert_array_equal(shortcut, general[:-1])
