"""The policy registry and the simple families: metadata, validation, Erdil presets, myopic, catch-up."""

from __future__ import annotations

import numpy as np
import pytest

from labs.params import ParameterError
from labs.spec import LabSpec
from market.clearing import clear
from market.params import MarketParams
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.registry import make_policy, policy_class, policy_names, resolve_policy

FAMILIES = policy_names()


@pytest.mark.parametrize("name", FAMILIES)
def test_metadata_is_complete(name):
    cls = policy_class(name)
    meta = cls.metadata()
    assert meta["name"] == name
    assert len(meta["description"]) > 20
    assert isinstance(meta["deterministic"], bool) and isinstance(meta["plans"], bool)
    for key, spec in cls.params.items():
        assert spec.name == key and spec.doc, key
        assert spec.check(spec.default) == spec.default or spec.default is None
        assert meta["params"][key]["allowed"] == spec.allowed()
    policy = make_policy(resolve_policy(name))
    policy.reset()
    if cls.plans:
        assert isinstance(policy.plans, dict)


def bad_value(spec):
    """A value outside what ``spec`` accepts (wrong choice, wrong type or out of range)."""
    if spec.kind == "choice":
        return "no_such_value"
    if spec.kind == "bool":
        return "yes"
    if spec.low is not None:
        return spec.low if spec.low_open else spec.low - 1
    if spec.high is not None:
        return spec.high + 1
    return "not a number"


@pytest.mark.parametrize("name", FAMILIES)
def test_parameters_are_validated_with_their_path(name):
    cls = policy_class(name)
    for key, spec in cls.params.items():
        with pytest.raises(ParameterError) as error:
            resolve_policy(name, {key: bad_value(spec)})
        assert error.value.path == f"policy.params.{key}"
        assert error.value.allowed == spec.allowed()
    if cls.params:
        first = next(iter(cls.params))
        with pytest.raises(ParameterError, match="did you mean") as error:
            resolve_policy(name, {first + "x": 1})
        assert error.value.path == f"policy.params.{first}x"


def test_unknown_policy_suggests_a_name():
    with pytest.raises(ParameterError, match="did you mean 'pontryagin'"):
        resolve_policy("pontriagin")


# Villalobos & Atkinson's tradeoff table as quoted in Erdil's post: (training OOM, inference OOM).
TABLE = {"scaling_policy": (1.2, 0.7), "mcts": (1.6, 1.6), "pruning": (1.0, 1.0),
         "repeated_sampling_cheap": (3.0, 6.0), "repeated_sampling_expensive": (1.0, 1.45)}


@pytest.mark.parametrize("preset", list(TABLE))
def test_erdil_presets_minimise_compute_along_the_tradeoff(preset):
    """Erdil's claim: trading b OOM of training for a OOM of inference, the cost-minimising training
    share is a/(a+b). Checked against the table and, independently, by moving along the iso-performance
    curve (T 10^(b s), I 10^(-a s)): total compute is smallest at s = 0 exactly at that share."""
    training, inference = TABLE[preset]
    policy = make_policy(resolve_policy("erdil", {"preset": preset}))
    obs = RaceModel(RaceConfig(labs=(LabSpec.build("e", policy="erdil"),))).observe()
    share = float(policy.decide(obs, np.array([0]))[0])
    assert share == pytest.approx(inference / (inference + training), rel=1e-12)
    s = np.linspace(-0.2, 0.2, 4001)
    total = share * 10 ** (training * s) + (1 - share) * 10 ** (-inference * s)
    assert abs(s[np.argmin(total)]) <= 1e-4


def test_erdil_custom_and_rule_of_thumb():
    custom = make_policy(resolve_policy("erdil", {"a": 2.0, "b": 1.0}))
    assert custom.share == pytest.approx(2.0 / 3.0)
    assert make_policy(resolve_policy("erdil", {"preset": "rule_of_thumb"})).share == 0.5


def started_model(market: MarketParams, steps: int = 3) -> RaceModel:
    labs = (LabSpec.build("m", policy="myopic"),
            LabSpec.build("r1", policy="constant", policy_params={"alpha": 0.3}, compute0=150.0),
            LabSpec.build("r2", law="chinchilla", policy="constant", policy_params={"alpha": 0.6}, compute0=80.0))
    model = RaceModel(RaceConfig(labs=labs, market=market))
    for _ in range(steps):
        model.step()
    return model


@pytest.mark.parametrize("market", [MarketParams.build(delta0=0.05, contest=3.0),
                                    MarketParams.build(demand="capacity", capacity0=250.0),
                                    MarketParams.build(delta0=0.05)])
def test_myopic_is_the_brute_force_maximum_of_this_steps_revenue(market):
    model = started_model(market)
    obs = model.observe()
    policy = make_policy(resolve_policy("myopic"))
    alpha = float(policy.decide(obs, np.array([0]))[0])
    grid = np.linspace(0.0, 1.0, 20001)
    revenue = np.empty(grid.size)
    for k, a in enumerate(grid):
        K = (1.0 - obs.alpha_last) * obs.compute
        K[0] = (1.0 - a) * obs.compute[0]
        revenue[k] = clear(obs.capability, K, obs.t, market).revenue[0]
    best = int(np.argmax(revenue))
    assert 0.0 < grid[best] < 1.0  # an interior optimum: the scenario tests the search, not a corner
    K = (1.0 - obs.alpha_last) * obs.compute
    K[0] = (1.0 - alpha) * obs.compute[0]
    achieved = clear(obs.capability, K, obs.t, market).revenue[0]
    assert achieved >= revenue[best] * (1 - 1e-9)
    assert alpha == pytest.approx(grid[best], abs=1e-3)


def test_catch_up_trains_more_when_further_behind():
    labs = tuple(LabSpec.build(f"l{i}", law_params={"capability0": m}, policy="catch_up")
                 for i, m in enumerate([8.0, 4.0, 2.0, 1.0, 0.5]))
    obs = RaceModel(RaceConfig(labs=labs)).observe()
    policy = make_policy(resolve_policy("catch_up", {"base": 0.2, "sensitivity": 0.3, "ceiling": 0.9}))
    alpha = policy.decide(obs, np.arange(5))
    assert alpha[0] == pytest.approx(0.2)  # the leader trains at its base share
    assert np.all(np.diff(alpha) >= 0) and alpha[2] > alpha[1] > alpha[0]
    # Each halving of capability adds sensitivity * ln 2 until the ceiling binds.
    assert alpha[1] - alpha[0] == pytest.approx(0.3 * np.log(2.0))
    assert alpha[-1] == pytest.approx(0.9)


def test_planning_policies_keep_their_plans():
    labs = (LabSpec.build("p", policy="pontryagin", policy_params={"grid": 20}),
            LabSpec.build("n", policy="nash", policy_params={"grid": 20, "tol": 1e-4}))
    model = RaceModel(RaceConfig(labs=labs, market=MarketParams.build(delta0=1.0), horizon=2.0))
    model.step()
    for policy, index in model.policy_groups:
        assert type(policy).plans
        assert set(policy.plans) == {int(i) for i in index}
        plan = policy.plans[int(index[0])]
        assert plan.alpha_at(0.05) == pytest.approx(model.state.alpha[int(index[0])])
