"""The open-loop Nash solver: convergence, symmetry, and best responses checked by two methods."""

from __future__ import annotations

import numpy as np
import pytest

from labs.spec import LabSpec
from market.params import MarketParams
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.forecast import own_problem
from policies.nash import nash_from_config, plan_npv, rivals_of, solve_open_loop_nash
from policies.optimal_control import solve_direct, solve_pontryagin
from policies.registry import policy_class, resolve_policy
from policies.revenue import RivalPath

GRID = 100  # solver intervals per year: 1,000 over the paper's ten-year horizon


def duopoly(delta0: float, compute=(100.0, 100.0), contest: float | None = None,
            policy: str = "constant") -> RaceConfig:
    labs = tuple(LabSpec.build(f"lab{i}", compute0=c, policy=policy) for i, c in enumerate(compute))
    return RaceConfig(labs=labs, market=MarketParams.build(delta0=delta0, contest=contest))


@pytest.fixture(scope="module")
def symmetric():
    config = duopoly(2.0)
    return config, nash_from_config(config, grid=GRID)


def test_symmetric_duopoly_converges_to_a_symmetric_equilibrium(symmetric):
    _, eq = symmetric
    assert eq.converged and eq.change < 1e-6
    # Damped best-response iteration contracts: the residual falls at every iteration.
    assert all(b < a for a, b in zip(eq.changes, eq.changes[1:]))
    np.testing.assert_allclose(eq.alpha[0], eq.alpha[1], atol=1e-9)
    assert eq.npv[0] == pytest.approx(eq.npv[1], rel=1e-9)
    # The equilibrium trains flat out first and then serves: a genuine switch, not a corner.
    switch = eq.switch_times()
    assert np.all((switch > 1.0) & (switch < 9.0))


def test_equilibrium_plans_are_best_responses_by_re_solving(symmetric):
    _, eq = symmetric
    # Re-solving against the other's final plan gains nothing beyond the sweep's tolerance.
    assert np.all(np.abs(eq.relative_gap) < 1e-7)
    for plan in eq.plans:
        assert plan.change < 1e-5


def test_equilibrium_plan_is_a_best_response_by_the_direct_method(symmetric):
    """solve_direct (piecewise-constant alpha, L-BFGS-B, exact per-piece integration) is an independent
    optimiser: its best response to lab 1's plan must not beat lab 0's equilibrium plan, and its
    Richardson-extrapolated NPV (shortfall O(pieces^-2)) must match it."""
    config, eq = symmetric
    obs = RaceModel(config).observe()
    rivals = rivals_of(0, eq.capability, eq.capacity, eq.t, 2.0, 2.0)
    problem = own_problem(obs, 0, rivals)
    coarse = solve_direct(problem, pieces=100)
    fine = solve_direct(problem, pieces=200)
    extrapolated = fine.npv + (fine.npv - coarse.npv) / 3.0
    assert coarse.npv < fine.npv <= eq.npv[0] * (1 + 1e-6)
    assert extrapolated == pytest.approx(eq.npv[0], rel=2e-5)
    mid = coarse.t[:-1] + 0.5 * (coarse.t[1] - coarse.t[0])
    assert np.max(np.abs(coarse.alpha[:-1] - eq.alpha_at(0, mid))) < 0.01


def test_independent_labs_play_their_monopoly_plans():
    """With delta0 = 0 and lambda = gamma a lab's revenue ignores its rivals (model.md §2), so the
    equilibrium of two different labs is each one's single-lab optimum, found in one iteration."""
    config = duopoly(0.0, compute=(100.0, 300.0))
    eq = nash_from_config(config, grid=GRID)
    obs = RaceModel(config).observe()
    assert eq.iterations == 1 and eq.converged
    for lab in range(2):
        alone = solve_pontryagin(own_problem(obs, lab, RivalPath.none()), eq.t.size - 1, tol=1e-10)
        np.testing.assert_allclose(eq.alpha[lab], alone.alpha, atol=1e-8)
        assert eq.npv[lab] == pytest.approx(alone.npv, rel=1e-9)


@pytest.mark.parametrize("compute, contest", [((100.0, 200.0), None), ((100.0, 100.0), 4.0)])
def test_asymmetric_and_business_stealing_equilibria_converge(compute, contest):
    config = duopoly(2.0, compute=compute, contest=contest)
    eq = nash_from_config(config, grid=50)
    assert eq.converged
    assert np.all(np.abs(eq.relative_gap) < 1e-6)
    if compute[0] != compute[1]:
        # The larger lab earns more, and the plans differ: it is not a symmetric game.
        assert eq.npv[1] > eq.npv[0]
        assert np.max(np.abs(eq.alpha[0] - eq.alpha[1])) > 1e-3


def test_plan_npv_agrees_with_the_solver_on_its_own_plan(symmetric):
    config, eq = symmetric
    obs = RaceModel(config).observe()
    problem = own_problem(obs, 1, rivals_of(1, eq.capability, eq.capacity, eq.t, 2.0, 2.0))
    solved = solve_pontryagin(problem, eq.t.size - 1, alpha0=eq.alpha[1], tol=1e-10)
    assert plan_npv(problem, solved.alpha, eq.t) == pytest.approx(solved.npv, rel=1e-12)


def test_nash_policy_plays_the_equilibrium_in_the_model(symmetric):
    """Two labs following the nash policy realise the equilibrium: the recorded alpha is the plan at
    each step's midpoint, and the booked NPV approaches the plan's as the step shrinks (the market clears
    on the state at the step's start, a first-order scheme, so halving dt about halves the error)."""
    config, eq = symmetric
    labs = tuple(LabSpec.build(s.name, policy="nash", policy_params={"grid": GRID}) for s in config.labs)
    errors = []
    for dt in (0.1, 0.05):
        model = RaceModel(RaceConfig(labs=labs, market=config.market, dt=dt)).run()
        frame = model.labs_frame()
        for lab, name in enumerate(["lab0", "lab1"]):
            rows = frame[frame.lab == name]
            planned = eq.alpha_at(lab, rows.t.to_numpy() + 0.5 * dt)
            np.testing.assert_allclose(rows.alpha.to_numpy(), planned, atol=1e-6)
        errors.append(np.max(np.abs(model.state.npv / eq.npv - 1.0)))
        policy = model.policy_groups[0][0]
        assert policy.equilibrium is not None and set(policy.plans) == {0, 1}
    assert errors[0] < 0.02
    assert 1.6 < errors[0] / errors[1] < 2.4


def test_nash_policy_metadata_and_validation():
    cls = policy_class("nash")
    assert cls.plans and cls.deterministic
    with pytest.raises(Exception) as error:
        resolve_policy("nash", {"damping": 0.0})
    assert error.value.path == "policy.params.damping"
    with pytest.raises(ValueError):
        solve_open_loop_nash(RaceModel(duopoly(0.0)).observe(), intervals=20, damping=1.5)


def test_data_capped_duopoly_equilibrium_converges_with_every_best_response():
    """Two Chinchilla labs whose data caps bind early, in a capacity-limited market: the best responses
    near the equilibrium used to stall on this grid (the costate straddled the cap's jump in dM/dF) and
    were rescued by the direct method; integrated across the cap they all converge, and the check agrees."""
    params = {"efficiency": 1e22, "tokens_per_param": 20.0, "data_cap": 1e12, "trained0": 10.0}
    labs = tuple(LabSpec.build(f"lab{i}", law="chinchilla", law_params=params, policy="nash") for i in range(2))
    market = MarketParams.build(gamma=2.0, demand="capacity", capacity0=400.0, demand_growth=0.05)
    eq = nash_from_config(RaceConfig(labs=labs, market=market), grid=GRID)
    assert eq.converged and eq.extra["inner_failures"] == 0
    assert all(plan.converged for plan in eq.plans)
    assert np.all(np.abs(eq.relative_gap) < 1e-8)


def test_cold_equilibria_are_reused_only_for_the_same_game():
    """The first equilibrium of a run depends on the game, not on who plays it: another line-up of the
    same labs gets the very same solve, equal to a fresh one; a different state gets its own."""
    from policies.base import Observation
    from policies.nash import cold_equilibrium, game_state

    settings = {"intervals": 200, "damping": 1.0, "tol": 1e-6, "max_iter": 200}
    first = Observation.at_start(duopoly(2.0, policy="nash"))
    other_lineup = Observation.at_start(duopoly(2.0, policy="constant"))
    assert game_state(first) == game_state(other_lineup)
    shared = cold_equilibrium(first, **settings)
    assert cold_equilibrium(other_lineup, **settings) is shared
    fresh = solve_open_loop_nash(first, **settings)
    np.testing.assert_array_equal(shared.alpha, fresh.alpha)
    richer = Observation.at_start(duopoly(2.0, compute=(100.0, 150.0), policy="nash"))
    assert game_state(richer) != game_state(first)
    assert not np.array_equal(cold_equilibrium(richer, **settings).alpha, shared.alpha)


def test_plan_npv_integrates_a_switching_plan_as_the_solver_does():
    """The base case's plan leaves alpha = 1 between grid points: plan_npv and planned_path must split
    there as the solver does, so re-evaluating the solver's own control gives its NPV and state."""
    from cases import seed_problem
    from policies.nash import planned_path

    problem = seed_problem()
    for n in (40, 333):
        result = solve_pontryagin(problem, n)
        assert np.isfinite(result.switch_time())
        assert abs(plan_npv(problem, result.alpha, result.t) / result.npv - 1.0) < 1e-14
        capability, _ = planned_path(problem, result.alpha, result.t)
        assert np.allclose(capability, result.capability, rtol=1e-14, atol=0.0)
