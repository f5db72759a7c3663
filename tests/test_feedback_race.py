"""The race's Markov-perfect equilibrium (policies/feedback/race.py) and the feedback policy.

Checks with independent answers: one lab is a decision problem whose optimum the Pontryagin sweep finds
(the seed base case, and every registered law and demand form); labs that cannot affect each other
(delta0 = 0, lambda = gamma) each play their own optimum, so a 2-D equilibrium must equal the 1-D
solutions; from an off-path state the policy must play the optimum from that state. In the duopoly with
business stealing there is no closed form, so the checks are the solver's own: every stage game
converged, the labs' values are symmetric, and the NPV of the realised equilibrium path agrees with the
value function at the start.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from labs.params import ParameterError
from labs.spec import LabSpec
from market.config import RaceConfig
from market.params import MarketParams
from policies.base import Observation
from policies.feedback.race import RaceGame, solve_race_equilibrium
from policies.forecast import own_problem
from policies.optimal_control import solve_pontryagin
from policies.registry import make_policy, resolve_policy
from policies.revenue import RivalPath
from tests.cases import seed_problem


def start(*labs: LabSpec, market: MarketParams | None = None) -> Observation:
    return Observation.at_start(RaceConfig(labs=labs, market=market or MarketParams.build()))


@pytest.fixture(scope="module")
def seed_optimum():
    return solve_pontryagin(seed_problem(), 4000, tol=1e-12)


def test_one_lab_reproduces_the_pontryagin_optimum_with_the_error_falling(seed_optimum):
    """The seed base case (Troynikov's), the lab's own NPV on grids refined together in nodes and steps:
    piecewise-constant shares make the error second order in the step, so each doubling divides it by
    about 4; the finest is within 1e-4 of the optimum. The realised path's NPV (a feasible control) never
    beats the optimum."""
    obs = start(LabSpec.build("lab"))
    errors = []
    for nodes, steps in [(9, 25), (17, 50), (33, 100)]:
        eq = solve_race_equilibrium(RaceGame(obs, steps), nodes)
        assert eq.converged
        _, alpha, npv = eq.path()
        assert npv[-1, 0] < seed_optimum.npv
        errors.append(abs(eq.initial_values()[0] / seed_optimum.npv - 1.0))
        assert abs(npv[-1, 0] / seed_optimum.npv - 1.0) < 1.1 * errors[-1]
    assert all(b < a / 3.0 for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 1e-4
    # The shares are the optimum's averaged over each step.
    t = eq.t
    fine = np.linspace(0.0, 10.0, 4001)
    averaged = np.add.reduceat(seed_optimum.alpha_at(fine)[:-1], np.searchsorted(fine, t[:-1])) / 40.0
    assert np.max(np.abs(alpha[:, 0] - averaged)) < 0.03


@pytest.mark.parametrize("law, demand", [("chinchilla", "quasilinear"), ("power", "capacity"),
                                         ("power", "isoelastic")])
def test_every_law_and_demand_form_through_their_contracts(law, demand):
    obs = start(LabSpec.build("lab", law=law), market=MarketParams.build(demand=demand))
    optimum = solve_pontryagin(own_problem(obs, 0, RivalPath.none()), 2000, tol=1e-10)
    eq = solve_race_equilibrium(RaceGame(obs, 50), 17)
    _, _, npv = eq.path()
    assert eq.converged
    assert npv[-1, 0] / optimum.npv - 1.0 == pytest.approx(0.0, abs=3e-4)


def test_a_lab_whose_model_size_sets_its_serving_and_pays_for_compute_plays_its_optimum():
    """A loss-optimal lab with ``reference_params`` serves N_ref / N tokens per unit of compute (the law's
    ``serving``), and a compute price makes its NPV one of profit: the race game must count both, as the
    sweep does, to reproduce the one-lab optimum (without ``serving`` the NPV would be seven times too
    large). Capability is a small power of F here, so the grid in F converges slowly, at about first order
    in the nodes (errors 7.6e-3, 4.6e-3, 2.9e-3 at 9, 17, 33)."""
    lab = LabSpec.build("lab", law="loss_optimal", growth=0.1, discount=0.05,
                        law_params={"efficiency": 1e22, "trained0": 10.0, "reference_params": 1e10})
    obs = start(lab, market=MarketParams.build(gamma=3.5, delta0=0.0, compute_price=0.5))
    optimum = solve_pontryagin(own_problem(obs, 0, RivalPath.none()), 2000, tol=1e-10)
    errors = []
    for nodes in (9, 17, 33):
        eq = solve_race_equilibrium(RaceGame(obs, 50), nodes)
        assert eq.converged
        errors.append(abs(eq.path()[2][-1, 0] / optimum.npv - 1.0))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 4e-3


def test_labs_that_cannot_affect_each_other_play_their_own_optima():
    """delta0 = 0 and lambda = gamma: revenue is omega M^gamma (1 - alpha) C whatever the rival does, so
    the 2-lab equilibrium on a 9 x 9 grid is each lab's 1-lab solution on its own 9-node axis."""
    market = MarketParams.build(delta0=0.0)
    labs = (LabSpec.build("small", compute0=100.0), LabSpec.build("large", compute0=300.0))
    both = solve_race_equilibrium(RaceGame(start(*labs, market=market), 25), 9)
    assert both.converged
    for i, lab in enumerate(labs):
        alone = solve_race_equilibrium(RaceGame(start(lab, market=market), 25), 9)
        assert both.initial_values()[i] == pytest.approx(alone.initial_values()[0], rel=1e-8)
        np.testing.assert_allclose(both.path()[1][:, i], alone.path()[1][:, 0], atol=1e-4)


@pytest.fixture(scope="module")
def business_stealing():
    market = MarketParams.build(delta0=2.0, contest=4.0)
    obs = start(LabSpec.build("lab0"), LabSpec.build("lab1"), market=market)
    return [solve_race_equilibrium(RaceGame(obs, steps), nodes) for nodes, steps in [(9, 25), (13, 50)]]


def test_duopoly_with_business_stealing_converges_symmetrically(business_stealing):
    for eq in business_stealing:
        assert eq.converged and eq.change < 1e-5
        assert np.max(eq.gap) < 1e-6
        assert not eq.damped.any()  # plain best responses contract at every node
        v = eq.initial_values()
        assert v[0] == pytest.approx(v[1], rel=1e-7)
        _, alpha, npv = eq.path()
        np.testing.assert_allclose(alpha[:, 0], alpha[:, 1], atol=1e-5)
        assert npv[-1, 0] == pytest.approx(v[0], rel=1e-3)
    coarse, fine = (eq.initial_values()[0] for eq in business_stealing)
    assert fine == pytest.approx(coarse, rel=2e-3)


@pytest.mark.parametrize("t, scale, solves", [(7.0, 1.3, 1), (5.0, 1.3, 2)])
def test_feedback_policy_plays_the_optimum_from_an_off_path_state(seed_optimum, t, scale, solves):
    """Solved once at t = 0, the strategy is asked at time ``t`` with capability ``scale`` times the
    optimal path's (as after a breakthrough): it must play the optimum from that state, averaged over the
    rest of its step, which differs from the on-path move. At t = 7 the state is on the grid (no new
    solve); at t = 5 it is above it, and the policy solves again from the observed state."""
    config = RaceConfig(labs=(LabSpec.build("lab", policy="feedback"),), market=MarketParams.build())
    policy = make_policy(resolve_policy("feedback", {"nodes": 33, "steps_per_year": 10}))
    policy.reset()
    at_start = Observation.at_start(config)
    policy.decide(at_start, np.array([0]))
    M = float(np.interp(t, seed_optimum.t, seed_optimum.capability)) * scale
    off = dataclasses.replace(at_start, t=t, step=int(round(10 * t)), capability=np.array([M]),
                              compute=np.array([100.0 * np.exp(0.1 * t)]), alpha_last=np.array([1.0]))
    played = float(policy.decide(off, np.array([0]))[0])
    assert policy.diagnostics()["plans"] == solves
    optimum = solve_pontryagin(own_problem(off, 0, RivalPath.none()), 1600, tol=1e-12)
    step_end = policy.equilibrium.t[policy.equilibrium.step_of(t) + 1]
    best = float(np.mean(optimum.alpha_at(np.linspace(t, step_end, 201))))
    assert played == pytest.approx(best, abs=2e-3)
    assert abs(played - float(seed_optimum.alpha_at(t))) > 0.05


def test_feedback_policy_parameters_are_bounded():
    for name, value in [("nodes", 3), ("nodes", 66), ("steps_per_year", 0), ("high", 0.5)]:
        with pytest.raises(ParameterError) as error:
            resolve_policy("feedback", {name: value})
        assert error.value.path == f"policy.params.{name}"


def test_the_state_grid_is_bounded_before_anything_is_solved():
    from scenarios.limits import check_limits

    policy = resolve_policy("feedback", {"nodes": 20})
    labs = tuple(LabSpec.build(f"lab{i}", policy=policy) for i in range(4))
    with pytest.raises(ParameterError) as error:
        check_limits(RaceConfig(labs=labs))
    assert error.value.path == "labs[0].policy.params.nodes" and "20 ** 4 x 50" in str(error.value)
    check_limits(RaceConfig(labs=labs[:2]))


def test_feedback_lab_in_the_model_plays_the_optimum_at_every_step(seed_optimum):
    """One feedback lab run by the model with steps (0.05) finer than the solver's (0.2): every played
    share, including those at the solver's step boundaries, is the optimum's average over the rest of
    its solver step (what one share held there should be) within 0.01, and the booked NPV is within the
    model's first-order booking error (1%)."""
    from labrace.simulation.model import RaceModel

    lab = LabSpec.build("lab", policy="feedback", policy_params={"nodes": 17, "steps_per_year": 5})
    model = RaceModel(RaceConfig(labs=(lab,), market=MarketParams.build(), dt=0.05)).run()
    t = model.recorder.t
    played = model.recorder.labs["alpha"][:, 0]
    step_end = np.floor(t / 0.2 + 1e-9) * 0.2 + 0.2
    averaged = [np.mean(seed_optimum.alpha_at(np.linspace(a, b, 101))) for a, b in zip(t, step_end)]
    assert np.max(np.abs(played - averaged)) < 0.01
    assert model.state.npv[0] == pytest.approx(seed_optimum.npv, rel=0.01)
