"""Scenario files: defaults, replication, exact round trips through TOML, and every shipped scenario
validating and running consistently (checked against quantities recomputed from its own output tables)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.laws import LAWS
from labs.params import Param, field_specs
from labs.spec import LAB_PARAMS, LabSpec
from market.demand import DEMANDS
from market.params import MarketParams
from market.config import SHOCK_PARAMS, RaceConfig
from policies.registry import policy_class, policy_names, resolve_policy
from scenarios.limits import Limits
from scenarios.loader import (config_from_dict, config_to_toml, load_scenario, read_scenario, resolve_source,
                              shipped_scenarios)
from labrace.simulation.run import run_config

SHIPPED = sorted(shipped_scenarios())
REQUIRED = {"troynikov", "duopoly", "asymmetric_duopoly", "oligopoly", "data_bound", "winner_take_all"}


def shortened(name: str, horizon: float = 1.0) -> RaceConfig:
    """A shipped scenario cut to ``horizon`` years, through the same validation as the file."""
    data = tomllib.loads(resolve_source(name).read_text())
    data["horizon"] = horizon
    return config_from_dict(data, name)


def test_required_scenarios_are_shipped_with_descriptions():
    shipped = shipped_scenarios()
    assert REQUIRED <= set(shipped)
    for name, (path, description) in shipped.items():
        assert path.stem == name and path.suffix == ".toml"
        assert len(description) > 80, name
        assert load_scenario(name).name == name


def test_oligopoly_has_at_least_five_labs_and_mixed_policies():
    config = load_scenario("oligopoly")
    assert len(config.labs) >= 5
    assert len({lab.policy.name for lab in config.labs}) >= 4


def test_data_bound_uses_a_binding_data_cap_and_capacity_demand():
    config = load_scenario("data_bound")
    assert config.market.demand == "capacity"
    assert all(lab.law == "chinchilla" and lab.law_kwargs["data_cap"] is not None for lab in config.labs)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_round_trips_through_resolved_toml(name):
    scenario = read_scenario(name)
    text = config_to_toml(scenario.config, scenario.description)
    data = tomllib.loads(text)
    assert config_from_dict(data) == scenario.config
    assert data["description"] == scenario.description
    assert config_to_toml(config_from_dict(data), scenario.description) == text


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_runs_and_its_tables_are_consistent(name):
    config = shortened(name)
    result = run_config(config)
    labs, market = result.labs, result.market
    n = len(config.labs)
    assert len(labs) == n * config.steps and len(market) == config.steps
    assert list(result.outcomes["lab"]) == [lab.name for lab in config.labs]
    # the market's pool is divided exactly among the labs, step by step
    by_step = labs.groupby("t", sort=True)["revenue"].sum().to_numpy()
    np.testing.assert_allclose(by_step, market["revenue_pool"].to_numpy(), rtol=1e-9, atol=1e-9)
    # serving capacity is the compute not spent on training
    np.testing.assert_allclose(labs["capacity"], (1 - labs["alpha"]) * labs["compute"], rtol=1e-12)
    # NPV recomputed from the revenue column: a constant rate over each step, discounted exactly
    rho = np.array([lab.discount for lab in config.labs])
    revenue = labs["revenue"].to_numpy().reshape(config.steps, n)
    t = market["t"].to_numpy()[:, None]
    npv = (revenue * np.exp(-rho * t) * (1 - np.exp(-rho * config.dt)) / rho).sum(axis=0)
    np.testing.assert_allclose(result.outcomes["npv"], npv, rtol=1e-9)


def test_three_line_file_runs_with_documented_defaults(tmp_path: Path):
    path = tmp_path / "tiny.toml"
    path.write_text('[[labs]]\npolicy = "constant"\n')
    config = load_scenario(path)
    expected = RaceConfig(labs=(LabSpec.build("lab1", policy=resolve_policy("constant")),), name="tiny")
    assert config == expected
    assert dict(config.labs[0].policy.params) == {"alpha": 0.5}
    assert (config.horizon, config.dt, config.seed) == (10.0, 0.1, 0)


def test_empty_file_is_one_lab_with_the_default_policy(tmp_path: Path):
    path = tmp_path / "empty.toml"
    path.write_text("")
    config = load_scenario(path)
    assert [lab.name for lab in config.labs] == ["lab1"]
    assert config.labs[0].policy == resolve_policy("pontryagin")


def test_count_replicates_a_lab_with_suffixed_names():
    entry = {"name": "rival", "compute0": 50.0, "policy": {"name": "constant", "params": {"alpha": 0.3}}}
    replicated = config_from_dict({"labs": [{**entry, "count": 3}, {"name": "other"}]})
    spelled = config_from_dict({"labs": [{**entry, "name": f"rival-{k}"} for k in (1, 2, 3)]
                                + [{"name": "other"}]})
    assert replicated == spelled
    assert [lab.name for lab in replicated.labs] == ["rival-1", "rival-2", "rival-3", "other"]


def test_policy_as_name_equals_policy_as_table_with_defaults():
    by_name = config_from_dict({"labs": [{"policy": "catch_up"}]})
    defaults = {k: p.default for k, p in policy_class("catch_up").params.items()}
    by_table = config_from_dict({"labs": [{"policy": {"name": "catch_up", "params": defaults}}]})
    assert by_name == by_table


def _value(spec: Param) -> st.SearchStrategy:
    """Valid values of one parameter, straight from its specification."""
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "int":
        low = int(spec.low) if spec.low is not None else -1000
        return st.integers(low, int(spec.high) if spec.high is not None else low + 1000)
    low = spec.low if spec.low is not None else -1e6
    high = spec.high if spec.high is not None else 1e30
    values = st.floats(low, high, exclude_min=spec.low_open, exclude_max=spec.high_open,
                       allow_nan=False, allow_infinity=False)
    return (st.none() | values) if spec.optional else values


def _table(specs) -> st.SearchStrategy:
    """A table giving any subset of ``specs`` (omitted ones take their defaults)."""
    return st.fixed_dictionaries({}, optional={name: _value(spec) for name, spec in specs.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not None})


@st.composite
def _market(draw):
    """A ``[market]`` table: the market's own parameters and those of a demand form drawn from the registry."""
    demand = draw(st.sampled_from(sorted(DEMANDS)))
    own = {k: v for k, v in field_specs(MarketParams).items() if k != "demand"}
    return {**draw(_table(own)), "demand": demand, **draw(_table(DEMANDS[demand].params))}


@st.composite
def _lab(draw):
    law = draw(st.sampled_from(sorted(LAWS)))
    policy = draw(st.sampled_from(policy_names()))
    entry = draw(_table(LAB_PARAMS))
    entry.update(law=law, law_params=draw(_table(LAWS[law].params)),
                 policy={"name": policy, "params": draw(_table(policy_class(policy).params))},
                 count=draw(st.integers(1, 3)))
    if policy == "feedback":  # its grid is nodes ** labs x steps: keep 9 labs within a 64-bit limit
        entry["policy"]["params"]["nodes"] = draw(st.integers(4, 8))
    return entry


@st.composite
def scenarios(draw):
    dt = draw(st.floats(0.01, 1.0))
    labs = draw(st.lists(_lab(), min_size=1, max_size=3))
    for index, entry in enumerate(labs):
        entry["name"] = f"L{index}"
    market = draw(_market())
    if any("reinvest" in entry for entry in labs) and not market.get("compute_price"):
        market["compute_price"] = 1.0  # reinvesting profit needs compute to have a price
    return {"name": draw(st.text(min_size=1, max_size=8).filter(str.strip)), "dt": dt,
            "horizon": draw(st.floats(dt, 100.0)), "seed": draw(st.integers(0, 2 ** 32)),
            "market": market, "shocks": draw(_table(SHOCK_PARAMS)), "labs": labs}


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.text(max_size=40))
def test_any_valid_scenario_round_trips_exactly(data, description):
    # every parameter in its range; how much work that asks for is the limits' business, not this test's
    roomy = Limits(solver_points=2 ** 63 - 1)
    config = config_from_dict(data, limits=roomy)
    again = config_from_dict(tomllib.loads(config_to_toml(config, description)), limits=roomy)
    assert again == config
    assert again.key("v") == config.key("v")


@pytest.mark.slow
def test_congestion_costs_the_duopoly_about_ten_percent():
    """The duopoly description's claim: delta0 = 2 costs each lab about 10% of its NPV."""
    data = tomllib.loads(resolve_source("duopoly").read_text())
    congested = run_config(config_from_dict(data)).outcomes["npv"].to_numpy()
    data["market"]["delta0"] = 0.0
    free = run_config(config_from_dict(data)).outcomes["npv"].to_numpy()
    loss = 1 - congested / free
    assert np.all((loss > 0.07) & (loss < 0.13)), loss


@pytest.mark.slow
def test_winner_take_all_rewards_the_largest_lab_and_makes_labs_race():
    data = tomllib.loads(resolve_source("winner_take_all").read_text())
    contest = run_config(config_from_dict(data)).outcomes.set_index("lab")
    del data["market"]["contest"]
    plain = run_config(config_from_dict(data)).outcomes.set_index("lab")
    assert contest.loc["large", "revenue_share"] > 0.5
    assert contest.loc["large", "npv"] > plain.loc["large", "npv"]
    assert contest.loc["small", "npv"] < 0.6 * plain.loc["small", "npv"]
    assert (contest["final_capability"] > plain["final_capability"]).all()
    assert (contest["mean_alpha"] > plain["mean_alpha"]).all()
