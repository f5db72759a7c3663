"""The ``nash`` forecast (receding-horizon Nash) against the open-loop equilibrium it should reproduce.

The duopoly with business stealing of the issue: two identical labs, delta0 = 2, lambda = 4. Its open-loop
equilibrium trains flat out until t = 6.15, the lab alone until 5.55 (both on 100 solver steps per year).
Along the equilibrium path an open-loop equilibrium is time consistent (the rest of it is the
equilibrium of the game left), so receding-horizon Nash agents must follow it, up to the step's scheme.
"""

from __future__ import annotations

import numpy as np
import pytest

from labs.spec import LabSpec
from labrace.simulation.model import RaceModel
from market.config import RaceConfig
from market.params import MarketParams
from policies.base import Observation
from policies.forecast import own_problem, rival_paths
from policies.nash import nash_from_config
from policies.optimal_control import solve_pontryagin
from policies.rational import planning_labs, receding_nash
from policies.registry import resolve_policy
from policies.revenue import RivalPath

DT = 0.02
MARKET = MarketParams.build(delta0=2.0, contest=4.0)


def duopoly(policy: str = "constant", dt: float = DT, **params) -> RaceConfig:
    labs = tuple(LabSpec.build(f"lab{i}", policy=policy, policy_params=params) for i in range(2))
    return RaceConfig(labs=labs, market=MARKET, dt=dt)


def played(config: RaceConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    model = RaceModel(config).run()
    frame = model.labs_frame()
    rows = frame[frame.lab == "lab0"]
    return rows.t.to_numpy(), rows.alpha.to_numpy(), model.state.npv


def switch_time(t: np.ndarray, alpha: np.ndarray) -> float:
    return float(t[np.argmax(alpha < 1.0 - 1e-6)])


def sign_changes(t: np.ndarray, alpha: np.ndarray, start: float = 5.5, end: float = 9.0) -> int:
    """How often the step-to-step change of alpha flips sign in [start, end] (a saw-tooth flips often)."""
    step = np.diff(alpha)[(t[1:] >= start) & (t[1:] <= end)]
    signs = np.sign(step[step != 0])
    return int(np.sum(signs[1:] != signs[:-1]))


@pytest.fixture(scope="module")
def references():
    equilibrium = nash_from_config(duopoly(), grid=100)
    obs = Observation.at_start(duopoly())
    alone = solve_pontryagin(own_problem(obs, 0, RivalPath.none()), 1000, tol=1e-10)
    return equilibrium, alone


@pytest.fixture(scope="module")
def rational():
    return played(duopoly("pontryagin", forecast="nash"))


def test_receding_horizon_nash_agents_follow_the_open_loop_equilibrium(references, rational):
    equilibrium, alone = references
    t, alpha, npv = rational
    assert switch_time(t, alpha) > alone.switch_time() + 0.5
    assert abs(switch_time(t, alpha) - equilibrium.switch_times()[0]) <= DT + 1e-9
    # Played at step midpoints; the open-loop plan at the same times (8 - DT/2 is a midpoint).
    assert float(np.interp(8.0, t + 0.5 * DT, alpha)) == pytest.approx(float(equilibrium.alpha_at(0, 8.0)),
                                                                         abs=1e-3)
    assert sign_changes(t, alpha) == 0


def test_booked_npv_matches_labs_committed_to_the_equilibrium(rational):
    """The nash policy commits to the t = 0 equilibrium; the model books both runs the same way, so
    their NPVs differ only by what re-planning from the realised state changes (second order in dt)."""
    *_, npv = rational
    *_, committed = played(duopoly("nash", grid=100))
    np.testing.assert_allclose(npv, committed, rtol=1e-5)


def test_naive_forecast_agents_switch_early_and_saw_tooth(references):
    """The failure the nash forecast fixes: constant_alpha agents forecast a rival that never serves."""
    _, alone = references
    t, alpha, _ = played(duopoly("pontryagin", forecast="constant_alpha"))
    assert switch_time(t, alpha) < alone.switch_time()
    assert sign_changes(t, alpha) > 10


def test_a_rule_following_rival_is_held_at_its_share_so_the_forecast_is_the_best_response():
    """Against a constant-share rival the equilibrium of the game left is the planner's best response to
    that share, which the constant_alpha forecast computes exactly (tests/test_competition.py)."""
    labs = (LabSpec.build("me", policy="pontryagin", policy_params={"forecast": "nash"}),
            LabSpec.build("rule", policy="constant", policy_params={"alpha": 0.4}, compute0=150.0))
    model = RaceModel(RaceConfig(labs=labs, market=MARKET))
    model.step()
    obs = model.observe()
    assert planning_labs(obs).tolist() == [True, False]
    intervals = 500
    eq = receding_nash(obs, obs.alpha_last, intervals, 1e-10)
    t = np.linspace(obs.t, obs.horizon, intervals + 1)
    response = solve_pontryagin(own_problem(obs, 0, rival_paths(obs, np.array([1]), obs.alpha_last, t,
                                                                "constant_alpha")), intervals, tol=1e-10)
    assert eq.converged
    np.testing.assert_allclose(eq.alpha[1], 0.4)
    np.testing.assert_allclose(eq.alpha[0], response.alpha, atol=1e-6)
    assert eq.npv[0] == pytest.approx(response.npv, rel=1e-9)


def test_the_forecast_is_a_validated_choice():
    assert resolve_policy("pontryagin", {"forecast": "nash"}).kwargs["forecast"] == "nash"
    with pytest.raises(Exception) as error:
        resolve_policy("pontryagin", {"forecast": "oracle"})
    assert error.value.path == "policy.params.forecast" and "'nash'" in str(error.value)


def test_rational_rivals_enter_a_tournament(tmp_path):
    """Receding-horizon Nash and feedback labs are ordinary entrants: every line-up plays to the end and
    their plans are recorded as converged."""
    import labrace

    source = tmp_path / "rivals.toml"
    source.write_text('''name = "rivals"
lineup_size = 2
seeds = 1
scenarios = [{ name = "short", horizon = 2.0, dt = 0.2, market = { delta0 = 2.0, contest = 4.0 }, labs = [
    { name = "a" }, { name = "b" } ] }]

[[entrants]]
policy = "pontryagin"
label = "receding nash"
params = { forecast = "nash", grid = 20, replan_every = 2 }

[[entrants]]
policy = "feedback"
label = "feedback"
params = { nodes = 7, steps_per_year = 4 }

[[entrants]]
policy = "constant"
params = { alpha = 0.5 }
''')
    result = labrace.tournament(source, out=tmp_path / "out", workers=0, progress=False)
    assert result.failed_runs == 0 and (result.results["status"] == "ok").all()
    assert set(result.ranking["policy"]) >= {"receding nash", "feedback"}
    planners = result.results[result.results["policy"].isin(["receding nash", "feedback"])]
    assert (planners["plans"] > 0).all() and (planners["plans_not_converged"] == 0).all()
