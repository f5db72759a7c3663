"""The Mesa model against closed forms and the optimum: exact training, exact discounting, convergence of
a Pontryagin lab to the continuous optimum as the step shrinks, determinism and input validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labs.params import ParameterError
from labs.spec import LabSpec
from market.params import MarketParams
from market.config import RaceConfig, ShockParams
from labrace.simulation.model import RaceModel
from policies.optimal_control import solve_pontryagin
from policies.registry import resolve_policy
from cases import seed_problem
from labrace.reproductions.problem import TroynikovCase


def single_lab(policy: str = "pontryagin", dt: float = 0.1, horizon: float = 10.0, **policy_params) -> RaceConfig:
    return RaceConfig(labs=(LabSpec.build("solo", policy=policy, policy_params=policy_params),), dt=dt,
                      horizon=horizon)


def test_constant_share_lab_follows_the_closed_form_capability_and_discounted_revenue():
    alpha, dt, eps, g, rho, C0 = 0.3, 0.1, 0.5, 0.1, 0.05, 100.0
    model = RaceModel(single_lab("constant", dt=dt, alpha=alpha)).run()
    t = dt * np.arange(model.config.steps)
    # dM/dt = (alpha C0 e^{g t})^eps integrates to this for a constant alpha.
    M = 1.0 + (alpha * C0) ** eps * np.expm1(eps * g * t) / (eps * g)
    np.testing.assert_allclose(model.labs_frame()["capability"], M, rtol=1e-12)
    T = model.config.steps * dt
    final = 1.0 + (alpha * C0) ** eps * np.expm1(eps * g * T) / (eps * g)
    assert model.state.capability[0] == pytest.approx(final, rel=1e-12)
    # Revenue held constant over each step, discounted exactly over the step.
    revenue = M ** 2 * (1.0 - alpha) * C0 * np.exp(g * t)
    npv = np.sum(revenue * np.exp(-rho * t) * (1.0 - np.exp(-rho * dt)) / rho)
    assert model.state.npv[0] == pytest.approx(npv, rel=1e-12)


@pytest.fixture(scope="module")
def optimum_npv() -> float:
    return solve_pontryagin(seed_problem(), 4000).npv


def test_a_pontryagin_lab_converges_to_the_optimum_as_the_step_shrinks(optimum_npv):
    gaps = []
    for dt in (0.1, 0.05, 0.01):
        model = RaceModel(single_lab(dt=dt)).run()
        gaps.append((optimum_npv - model.state.npv[0]) / optimum_npv)
    assert all(gap > 0 for gap in gaps)
    assert gaps[0] > gaps[1] > gaps[2]
    # First order in dt: revenue is booked at the state at the start of each step.
    assert gaps[0] / gaps[1] == pytest.approx(2.0, rel=0.2)
    assert gaps[1] / gaps[2] == pytest.approx(5.0, rel=0.2)
    assert gaps[2] < 2e-3


def test_the_model_records_one_row_per_step_per_lab_and_mesa_sees_every_lab():
    labs = tuple(LabSpec.build(f"lab{i}", policy="constant", policy_params={"alpha": a})
                 for i, a in enumerate((0.2, 0.5, 0.8)))
    model = RaceModel(RaceConfig(labs=labs, market=MarketParams.build(delta0=1.0, contest=3.0), horizon=2.0)).run()
    assert len(model.agents) == 3 and [lab.name for lab in model.labs] == ["lab0", "lab1", "lab2"]
    frame = model.labs_frame()
    assert len(frame) == 3 * model.config.steps
    assert len(model.datacollector.get_model_vars_dataframe()) == model.config.steps
    numbers = frame.drop(columns=["lab", "policy"]).to_numpy(dtype=float)
    assert np.all(np.isfinite(numbers))
    assert np.all(np.isfinite(model.market_frame().drop(columns=["t"]).to_numpy()))


def test_the_models_collector_holds_what_mesas_own_collector_collects():
    """The float-only collector must leave Mesa's tools (batch_run, plots) the very data they would read."""
    import mesa

    from labrace.simulation.model import MESA_REPORTERS

    labs = (LabSpec.build("a", policy="constant"), LabSpec.build("b", policy="catch_up"))
    config = RaceConfig(labs=labs, market=MarketParams.build(delta0=1.0), horizon=2.0)
    ours = RaceModel(config).run()
    theirs = RaceModel(config)
    theirs.datacollector = mesa.DataCollector(model_reporters={name: name for name in MESA_REPORTERS})
    theirs.run()
    pd.testing.assert_frame_equal(ours.datacollector.get_model_vars_dataframe(),
                                  theirs.datacollector.get_model_vars_dataframe())
    assert ours.datacollector._collection_steps == theirs.datacollector._collection_steps


def test_lab_agents_are_made_on_first_use_with_the_first_ids_and_their_groups_policies():
    """Labs become Mesa agents when something asks for agents; they keep ids 1..N even if another agent
    registered first, and each holds the policy object its group decides with."""
    import mesa

    labs = tuple(LabSpec.build(f"lab{i}", policy="constant", policy_params={"alpha": (0.2, 0.5)[i % 2]})
                 for i in range(5))
    model = RaceModel(RaceConfig(labs=labs, horizon=1.0)).run()
    visitor = mesa.Agent(model)
    assert [lab.unique_id for lab in model.labs] == [1, 2, 3, 4, 5] and visitor.unique_id == 6
    assert len(model.agents) == 6 and len(model.agents_by_type[type(model.labs[0])]) == 5
    groups = {id(policy): index.tolist() for policy, index in model.policy_groups}
    assert sorted(groups.values()) == [[0, 2, 4], [1, 3]]
    for lab in model.labs:
        assert lab.index in groups[id(lab.policy)] and lab.capability == model.state.capability[lab.index]
    assert model.labs_frame()["policy"].tolist()[:5] == [lab.policy_label for lab in model.labs]


def test_an_observation_sets_every_field_of_the_dataclass_and_shares_only_read_only_state():
    """``Observation.of_state`` fills the value directly (not through ``__init__``): every field, no other,
    with ``capability_growth`` worked out on first read; it shares the state's read-only arrays and
    copies a writable one."""
    from dataclasses import fields

    model = RaceModel(single_lab("constant", horizon=1.0))
    obs = model.observe()
    assert set(vars(obs)) == {f.name for f in fields(obs)} - {"capability_growth"} | {"_capability_change"}
    np.testing.assert_array_equal(obs.capability_growth, 0.0)
    start = model.state.capability
    model.step()
    obs = model.observe()
    np.testing.assert_array_equal(obs.capability_growth, np.log(model.state.capability / start) / model.dt)
    assert set(vars(obs)) == {f.name for f in fields(obs)} | {"_capability_change"}
    with pytest.raises(AttributeError, match="no attribute 'capability_gowth'"):
        obs.capability_gowth
    np.testing.assert_array_equal(obs.capability, model.state.capability)
    with pytest.raises(ValueError, match="read-only"):
        obs.capability[0] = 2.0  # a policy cannot change the state it observes
    model.state.capability = np.ones(1)  # a writable array put in by hand is copied, not shared
    assert model.observe().capability is not model.state.capability


def test_stepping_a_finished_model_changes_nothing():
    """Mesa's visualiser may call step after the horizon; the model stays as it was at the end."""
    model = RaceModel(single_lab("constant", horizon=1.0)).run()
    frame, market = model.labs_frame(), model.market_frame()
    t, capability, npv = model.t, model.state.capability.copy(), model.state.npv.copy()
    for _ in range(5):
        model.step()
    assert not model.running and model.recorder.size == model.config.steps == 10
    assert model.t == t
    np.testing.assert_array_equal(model.state.capability, capability)
    np.testing.assert_array_equal(model.state.npv, npv)
    assert model.labs_frame().equals(frame) and model.market_frame().equals(market)
    assert len(model.datacollector.get_model_vars_dataframe()) == 10


def test_runs_are_deterministic_given_the_seed():
    labs = (LabSpec.build("a", policy="constant"), LabSpec.build("b", policy="catch_up"))
    shocks = ShockParams(compute_noise=0.3, breakthrough_rate=1.0, demand_noise=0.2)

    def run(seed: int) -> np.ndarray:
        config = RaceConfig(labs=labs, shocks=shocks, horizon=3.0, seed=seed)
        return RaceModel(config).run().labs_frame()[["capability", "npv", "alpha"]].to_numpy()

    np.testing.assert_array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


@pytest.mark.parametrize("build, path", [
    (lambda: LabSpec.build(law_params={"epsilon": 1.0}), "law_params.epsilon"),
    (lambda: LabSpec.build(law_params={"epsilon": 0.0}), "law_params.epsilon"),
    (lambda: LabSpec.build(compute0=-5.0), "compute0"),
    (lambda: LabSpec.build(discount=0.0), "discount"),
    (lambda: LabSpec.build(discount=-0.05), "discount"),
    (lambda: LabSpec.build(law="linear"), "law"),
    (lambda: LabSpec.build(law_params={"epsilonn": 0.5}), "law_params.epsilonn"),
    (lambda: RaceConfig(labs=(LabSpec.build(),), horizon=0.0), "horizon"),
    (lambda: RaceConfig(labs=(LabSpec.build(),), horizon=-1.0), "horizon"),
    (lambda: RaceConfig(labs=(LabSpec.build(),), horizon=1.0, dt=2.0), "dt"),
    (lambda: RaceConfig(labs=()), "labs"),
    (lambda: ShockParams.from_dict({"compute_noise": -1.0}), "shocks.compute_noise"),
    (lambda: resolve_policy("pontryagn"), "policy.name"),
    (lambda: resolve_policy("constant", {"alpha": 1.5}), "policy.params.alpha"),
    (lambda: TroynikovCase(epsilon=1.0), "epsilon"),
    (lambda: TroynikovCase(rho=0.0), "rho"),
    (lambda: TroynikovCase(horizon=0.0), "horizon"),
    (lambda: TroynikovCase(compute0=-100.0), "compute0"),
])
def test_bad_parameters_raise_an_error_naming_the_parameter(build, path):
    with pytest.raises(ParameterError) as error:
        build()
    assert error.value.path == path
    assert path.split(".")[-1] in str(error.value)


@pytest.mark.parametrize("index", [[0], [3], [0, 1, 2], [1, 4, 7, 10], [0, 1, 3], [2, 4, 5, 9], [5, 6]])
def test_a_policy_groups_rows_select_exactly_its_labs(index):
    """The rows a group's alphas are written through (a slice when evenly spaced) are its labs, in order."""
    from labrace.simulation.model import _as_slice

    index = np.array(index)
    rows = _as_slice(index)
    np.testing.assert_array_equal(np.arange(12)[rows], index)
    evenly = index.size == 1 or len(set(np.diff(index).tolist())) == 1
    assert isinstance(rows, slice) == evenly


@pytest.mark.parametrize("groups", [1, 2])
def test_shares_out_of_range_are_clipped_and_non_finite_ones_named(groups, monkeypatch):
    """Whatever a policy returns, the labs' alpha is a fresh read-only array in [0, 1], and a NaN names its lab."""
    labs = tuple(LabSpec.build(f"lab{i}", policy="constant" if i < 2 or groups == 1 else "erdil")
                 for i in range(3))
    model = RaceModel(RaceConfig(labs, horizon=1.0, dt=0.1))
    returned = {}

    def shares(values):
        def decide(obs, index):
            returned[index.tolist()[0]] = out = np.array(values, dtype=float)[index]
            return out
        return decide

    for policy, _ in model.policy_groups:
        monkeypatch.setattr(policy, "decide", shares([1.5, -0.25, 0.5]))
    alpha = model.decide(model.observe())
    np.testing.assert_array_equal(alpha, [1.0, 0.0, 0.5])
    assert not alpha.flags.writeable and all(out.flags.writeable for out in returned.values())
    for policy, _ in model.policy_groups:
        monkeypatch.setattr(policy, "decide", shares([0.5, np.nan, 0.5]))
    with pytest.raises(FloatingPointError, match=r"\['lab1'\]"):
        model.decide(model.observe())


def test_a_law_groups_shared_parameters_are_numbers_and_give_the_per_lab_step():
    """Parameters every lab of a law shares become one number (numpy's fast paths for one exponent); the
    step they give equals the law's own advance with per-lab arrays, to rounding."""
    from labs.laws import LAWS

    labs = tuple(LabSpec.build(f"l{i}", law_params={"epsilon": 0.5, "beta_T": 1.0 + i}, policy="constant",
                               compute0=50.0 + 10 * i, growth=0.1 + 0.02 * i) for i in range(4))
    model = RaceModel(RaceConfig(labs, horizon=1.0, dt=0.1))
    group = model.state.groups[0]
    assert group.shared_params["epsilon"] == 0.5 and isinstance(group.shared_params["epsilon"], float)
    np.testing.assert_array_equal(group.shared_params["beta_T"], [1.0, 2.0, 3.0, 4.0])
    s = model.state
    M, F, C = s.capability, s.trained, s.compute
    model.step()
    expected_M, expected_F = LAWS["power"].advance(M, F, s.alpha, C, s.growth, 0.1, group.params)
    np.testing.assert_allclose(s.capability, expected_M, rtol=1e-15)
    np.testing.assert_allclose(s.trained, expected_F, rtol=1e-15)
