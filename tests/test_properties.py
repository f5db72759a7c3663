"""Property tests (hypothesis): invariants of the market and the model over wide parameter ranges.

Random models draw the number of labs, their compute, growth, discount and capability law, the market
(both demand forms, any contest exponent), shocks on or off, and every registered policy (with cheap
solver settings for the planners). Each property is one the model must satisfy whatever the numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from labs.laws import LAWS
from labs.spec import LabSpec
from market.clearing import clear
from market.demand import DEMANDS
from market.params import MarketParams
from market.config import RaceConfig, ShockParams
from labrace.simulation.model import RaceModel
from labrace.simulation.recorder import LAB_COLUMNS, MARKET_COLUMNS
from policies.registry import policy_names, resolve_policy

MODEL_SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLEARING_SETTINGS = settings(max_examples=200, deadline=None)

# Cheap settings for the policies that solve control problems; every other registered policy is drawn
# with its defaults, so a newly registered family is exercised here without editing this file.
CHEAP = {
    "pontryagin": st.fixed_dictionaries({"grid": st.just(10), "tol": st.just(1e-5),
                                         "replan_every": st.integers(10, 1000),
                                         "forecast": st.sampled_from(["constant_alpha", "trend"])}),
    "nash": st.fixed_dictionaries({"grid": st.just(10), "tol": st.just(1e-2), "max_iter": st.just(5)}),
    "hjb": st.fixed_dictionaries({"points": st.just(40), "grid": st.just(10), "replan_every": st.integers(10, 1000)}),
    "feedback": st.fixed_dictionaries({"nodes": st.just(4), "steps_per_year": st.just(2)}),
    "constant": st.fixed_dictionaries({"alpha": st.floats(0.0, 1.0)}),
    "train_then_serve": st.fixed_dictionaries({"switch_time": st.floats(0.0, 3.0),
                                               "after": st.floats(0.0, 1.0)}),
    "catch_up": st.fixed_dictionaries({"base": st.floats(0.0, 1.0), "sensitivity": st.floats(0.0, 5.0)}),
    "steady_state": st.fixed_dictionaries({"variant": st.sampled_from(["paper", "constant"])}),
    "erdil": st.fixed_dictionaries({"preset": st.sampled_from(["custom", "rule_of_thumb", "scaling_policy",
                                                               "repeated_sampling_cheap"])}),
}

# Policies whose decision ignores the rivals' state when the market does (used by the independence test).
RIVAL_BLIND = ("constant", "train_then_serve", "steady_state", "erdil", "pontryagin", "myopic", "nash", "hjb")

positive = st.floats(min_value=1e-2, max_value=1e3)


@st.composite
def policies(draw, names: list[str] | None = None):
    name = draw(st.sampled_from(names or policy_names()))
    params = draw(CHEAP.get(name, st.just({})))
    return resolve_policy(name, params)


@st.composite
def laws(draw):
    """A registered law with parameters drawn over each parameter's declared exploration range."""
    name = draw(st.sampled_from(sorted(LAWS)))
    return name, {key: draw(scaled(spec)) for key, spec in LAWS[name].params.items()}


def scaled(spec) -> st.SearchStrategy:
    """Values across ``spec.scale``: log-uniform when it spans orders of magnitude; ``None`` if optional."""
    low, high = spec.scale
    if low > 0 and high / low >= 100:
        values = st.floats(np.log(low), np.log(high)).map(np.exp)
    else:
        values = st.floats(low, high)
    return (st.none() | values) if spec.optional else values


# A chinchilla lab's Hamiltonian is linear in alpha (bang-bang control), where the forward-backward sweep
# chatters at the switch and runs to its iteration limit: correct but slow, so planners get power-law labs.
PLANNERS = ("pontryagin", "nash", "hjb")


@st.composite
def labs(draw, index: int, policy_names_: list[str] | None = None):
    policy = draw(policies(policy_names_))
    law, law_params = draw(laws().filter(lambda law: policy.name not in PLANNERS or law[0] == "power"))
    return LabSpec.build(f"lab{index}", law=law, law_params=law_params, policy=policy,
                         compute0=draw(st.floats(1.0, 1000.0)), growth=draw(st.floats(-0.2, 0.6)),
                         discount=draw(st.floats(0.01, 0.5)))


@st.composite
def markets(draw, independent: bool = False):
    gamma = draw(st.floats(0.3, 3.0))
    if independent:
        return MarketParams.build(omega=draw(positive), gamma=gamma, delta0=0.0)
    demand = draw(st.sampled_from(sorted(DEMANDS)))
    form_params = {name: draw(scaled(spec)) for name, spec in DEMANDS[demand].params.items()}
    return MarketParams.build(omega=draw(positive), gamma=gamma, contest=draw(st.none() | st.floats(0.0, 6.0)),
                              demand=demand, demand_growth=draw(st.floats(-0.2, 0.5)), **form_params)


@st.composite
def shocks(draw):
    if not draw(st.booleans()):
        return ShockParams()
    return ShockParams(compute_noise=draw(st.floats(0.0, 0.5)), breakthrough_rate=draw(st.floats(0.0, 3.0)),
                       breakthrough_size=draw(st.floats(0.0, 1.0)), demand_noise=draw(st.floats(0.0, 0.5)))


# The feedback policy's dynamic program is over every lab's state, so its cost grows as nodes^labs: even at
# the cheap settings one run with three labs can cost more than all the other examples here together.
FEEDBACK_MAX_LABS = 2


@st.composite
def configs(draw, shock_strategy=None, names: list[str] | None = None):
    n = draw(st.integers(1, 4))
    horizon = draw(st.floats(0.5, 2.0))
    drawn = tuple(draw(labs(i, names)) for i in range(n))
    if any(lab.policy.name == "feedback" for lab in drawn):
        drawn = drawn[:FEEDBACK_MAX_LABS]
    return RaceConfig(labs=drawn, market=draw(markets()),
                      shocks=draw(shocks() if shock_strategy is None else shock_strategy), horizon=horizon,
                      dt=draw(st.sampled_from([0.1, 0.25])), seed=draw(st.integers(0, 2 ** 31)))


@MODEL_SETTINGS
@given(configs())
def test_model_invariants(config):
    """alpha in [0, 1]; capability never falls (every shock here is non-negative for capability);
    revenues are non-negative and add up to the pool; nothing recorded is NaN or infinite."""
    model = RaceModel(config).run()
    rec = model.recorder
    k = rec.size
    assert k == config.steps
    for column in LAB_COLUMNS:
        assert np.all(np.isfinite(rec.labs[column][:k])), column
    for column in MARKET_COLUMNS:
        assert np.all(np.isfinite(rec.market[column][:k])), column
    alpha = rec.labs["alpha"][:k]
    assert np.all((alpha >= 0.0) & (alpha <= 1.0))
    capability = np.vstack([rec.labs["capability"][:k], model.state.capability])
    assert np.all(np.diff(capability, axis=0) >= 0.0)
    revenue = rec.labs["revenue"][:k]
    assert np.all(revenue >= 0.0)
    pool = rec.market["revenue_pool"][:k]
    np.testing.assert_allclose(revenue.sum(axis=1), pool, rtol=1e-9, atol=1e-12 * max(1.0, pool.max()))
    assert np.all(np.diff(np.vstack([np.zeros(config.labs.__len__()), rec.labs["npv"][:k]]), axis=0) >= 0)


@MODEL_SETTINGS
@given(configs(shock_strategy=shocks().filter(lambda s: s.active),
               names=[name for name in policy_names() if name not in PLANNERS]))
def test_same_seed_same_run_with_shocks(config):
    """Shocks come only from the model's seeded generator (planners are deterministic functions of the
    observed state and are exercised by the other model properties, so they are left out for speed)."""
    first = RaceModel(config).run()
    second = RaceModel(config).run()
    for column in LAB_COLUMNS:
        np.testing.assert_array_equal(first.recorder.labs[column], second.recorder.labs[column])
    np.testing.assert_array_equal(first.recorder.market["price"], second.recorder.market["price"])


@MODEL_SETTINGS
@given(st.data())
def test_labs_are_independent_without_congestion_or_business_stealing(data):
    """delta0 = 0 and lambda = gamma pay each lab exactly its own value (model.md §2), so a lab whose
    policy does not watch its rivals does the same thing and earns the same alone as among any rivals."""
    market = data.draw(markets(independent=True))
    focal = data.draw(labs(0, list(RIVAL_BLIND)))
    rivals = data.draw(st.lists(labs(1), min_size=1, max_size=3))
    if any(lab.policy.name == "feedback" for lab in (focal, *rivals)):
        rivals = rivals[:FEEDBACK_MAX_LABS - 1]
    rivals = [LabSpec.build(f"rival{i}", law=r.law, law_params=r.law_kwargs, policy=r.policy,
                            compute0=r.compute0, growth=r.growth, discount=r.discount)
              for i, r in enumerate(rivals)]
    horizon = data.draw(st.floats(0.5, 2.0))
    alone = RaceModel(RaceConfig(labs=(focal,), market=market, horizon=horizon)).run()
    crowd = RaceModel(RaceConfig(labs=(focal, *rivals), market=market, horizon=horizon)).run()
    for column in ("alpha", "capability", "revenue", "npv"):
        np.testing.assert_allclose(crowd.recorder.labs[column][:, 0], alone.recorder.labs[column][:, 0],
                                   rtol=1e-7, atol=1e-12, err_msg=column)


@st.composite
def market_states(draw):
    n = draw(st.integers(1, 12))
    M = np.array(draw(st.lists(st.floats(1e-2, 1e3), min_size=n, max_size=n)))
    # a lab serves nothing or at least 1e-12 of a unit: rescaling a subnormal capacity by 1e-3 would
    # round it to zero, which is a property of floats, not of the market
    K = np.array(draw(st.lists(st.just(0.0) | st.floats(1e-12, 1e3), min_size=n, max_size=n)))
    return M, K, draw(markets()), draw(st.floats(0.0, 20.0))


@CLEARING_SETTINGS
@given(market_states(), st.floats(1e-3, 1e3))
def test_shares_are_invariant_to_rescaling_all_capacities(state, scale):
    M, K, market, t = state
    np.testing.assert_allclose(clear(M, scale * K, t, market).shares, clear(M, K, t, market).shares,
                               rtol=1e-9, atol=1e-12)


@CLEARING_SETTINGS
@given(market_states(), st.data())
def test_a_lab_with_zero_capacity_earns_nothing(state, data):
    M, K, market, t = state
    idle = data.draw(st.integers(0, M.size - 1))
    K = K.copy()
    K[idle] = 0.0
    result = clear(M, K, t, market)
    assert result.revenue[idle] == 0.0 and result.shares[idle] == 0.0
    assert np.all(result.revenue >= 0.0)
    assert result.revenue.sum() == pytest.approx(result.pool, rel=1e-9, abs=1e-12)


# Each demand form's price drop per token, written out by hand from its definition (docs/model.md §2):
# P = q (omega - delta T / q), so a lab's revenue is M^gamma K max(0, omega - delta T / q).
CONGESTION_PER_TOKEN = {
    "quasilinear": lambda m, q, T, t: m.demand_kwargs["delta0"] * np.exp(-m.demand_growth * t),
    "capacity": lambda m, q, T, t: m.omega * q / (m.demand_kwargs["capacity0"] * np.exp(m.demand_growth * t)),
    # P = omega q (T / T0)^(-1/eta) = q (omega - delta T / q) with delta = omega q (1 - (T / T0)^(-1/eta)) / T
    "isoelastic": lambda m, q, T, t: m.omega * q / T * (1.0 - (T / (m.demand_kwargs["reference_tokens"] * np.exp(
        m.demand_growth * t))) ** (-1.0 / m.demand_kwargs["elasticity"])),
}


def test_every_demand_form_has_a_hand_written_price_drop():
    assert set(CONGESTION_PER_TOKEN) == set(DEMANDS)


@CLEARING_SETTINGS
@given(market_states())
def test_each_lab_is_paid_its_own_value_per_token_when_lambda_equals_gamma(state):
    """With lambda = gamma, R_i = M_i^gamma K_i max(0, omega - delta T / q): the price net of congestion
    per unit of quality, times the lab's own quality-weighted tokens (capacity form: delta = omega q / D)."""
    M, K, market, t = state
    market = market.replace(contest=None)
    result = clear(M, K, t, market)
    T = K.sum()
    if T == 0:
        assert np.all(result.revenue == 0.0)
        return
    q = np.dot(M ** market.gamma, K) / T
    delta = CONGESTION_PER_TOKEN[market.demand](market, q, T, t)
    # The hand-written isoelastic delta overflows where (T / T0)^(-1/eta) leaves the float range (T near
    # 1e-300); clearing computes the price itself and stays finite there, so such draws test nothing.
    assume(np.isfinite(delta))
    expected = M ** market.gamma * K * max(0.0, market.omega - delta * T / q)
    np.testing.assert_allclose(result.revenue, expected, rtol=1e-9, atol=1e-9 * max(1.0, expected.max()))


def test_a_thousand_labs_step():
    """A 1,000-lab model with both laws, mixed heuristics and shocks steps, with every market check."""
    rng = np.random.default_rng(7)
    cheap = [("constant", {"alpha": 0.4}), ("catch_up", {}), ("imitate_leader", {}), ("steady_state", {}),
             ("erdil", {"preset": "scaling_policy"}), ("train_then_serve", {"switch_time": 0.3})]
    specs = []
    for i in range(1000):
        name, params = cheap[i % len(cheap)]
        law = ("power", {"epsilon": float(rng.uniform(0.2, 0.8))}) if i % 2 else ("chinchilla", {})
        specs.append(LabSpec.build(f"lab{i}", law=law[0], law_params=law[1], policy=name, policy_params=params,
                                   compute0=float(rng.uniform(10, 1000))))
    config = RaceConfig(labs=tuple(specs), market=MarketParams.build(delta0=1e-4, contest=3.0), horizon=1.0,
                        shocks=ShockParams(compute_noise=0.1, breakthrough_rate=0.5))
    model = RaceModel(config).run()
    rec = model.recorder
    assert rec.size == 10
    for column in LAB_COLUMNS:
        assert np.all(np.isfinite(rec.labs[column]))
    np.testing.assert_allclose(rec.labs["revenue"].sum(axis=1), rec.market["revenue_pool"], rtol=1e-9)
    assert len(model.labs_frame()) == 10 * 1000
