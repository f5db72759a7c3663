"""Competition: the Pontryagin lab alone and among rivals, forecasts, heterogeneous labs in one model."""

from __future__ import annotations

import numpy as np
import pytest

from labs.laws import LAWS
from labs.spec import LabSpec
from market.clearing import clear
from market.params import MarketParams
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.forecast import own_problem, rival_paths
from policies.optimal_control import solve_pontryagin
from policies.registry import policy_names
from policies.revenue import RivalPath

T_GRID = np.linspace(0.0, 10.0, 1001)


def base_lab(name: str = "lab", **kwargs) -> LabSpec:
    return LabSpec.build(name, **kwargs)


def observation(labs, market: MarketParams):
    return RaceModel(RaceConfig(labs=tuple(labs), market=market)).observe()


def test_pontryagin_alone_without_congestion_is_the_single_lab_optimum():
    """One lab, delta0 = 0: the policy plays the seed paper's optimum (closed-form eq. 7 sweep from t = 0),
    sampled at step midpoints; re-plans from the realised state change it only by the step's
    discretisation of the state (second order in dt)."""
    config = RaceConfig(labs=(base_lab(policy_params={"grid": 200}),))
    model = RaceModel(config).run()
    optimum = solve_pontryagin(own_problem(model_start(config), 0, RivalPath.none()), 2000, tol=1e-12)
    assert optimum.method.startswith("forward-backward sweep (closed_form")
    t = model.recorder.t
    played = model.recorder.labs["alpha"][:, 0]
    np.testing.assert_allclose(played, optimum.alpha_at(t + 0.5 * config.dt), atol=2e-3)
    # The model books revenue on the state at each step's start (first order in dt: about 1% at dt = 0.1,
    # and it halves with the step, see tests/test_nash.py).
    assert optimum.npv * 0.98 < model.state.npv[0] < optimum.npv
    # First decision is made before any re-plan: it is the optimum itself, to solver precision.
    assert played[0] == pytest.approx(float(optimum.alpha_at(0.5 * config.dt)), abs=1e-9)


def model_start(config: RaceConfig):
    return RaceModel(config).observe()


@pytest.mark.parametrize("law", ["power", "chinchilla"])
def test_constant_alpha_forecast_predicts_a_constant_rival_exactly(law):
    """The documented default forecast (rival keeps its last alpha, compute grows as observed, capability
    follows its published law) is exact for a rival that does keep a constant alpha."""
    labs = (base_lab("me", policy="constant", policy_params={"alpha": 0.5}),
            base_lab("rival", law=law, policy="constant", policy_params={"alpha": 0.35}, compute0=150.0))
    market = MarketParams.build(delta0=2.0, contest=3.0)
    model = RaceModel(RaceConfig(labs=labs, market=market))
    model.step()
    obs = model.observe()
    model.run()
    rec = model.recorder
    future = rec.t[1:]
    path = rival_paths(obs, np.array([1]), obs.alpha_last, future, "constant_alpha")
    M, K = rec.labs["capability"][1:, 1], rec.labs["capacity"][1:, 1]
    np.testing.assert_allclose(path.tokens, K, rtol=1e-12)
    np.testing.assert_allclose(path.value, M ** market.gamma * K, rtol=1e-10)
    np.testing.assert_allclose(path.log_weight, 3.0 * np.log(M) + np.log(K), rtol=1e-12)


def test_trend_forecast_extrapolates_observed_growth():
    labs = (base_lab("me", policy="constant"), base_lab("rival", policy="constant", policy_params={"alpha": 0.8}))
    model = RaceModel(RaceConfig(labs=labs, market=MarketParams.build(delta0=1.0)))
    model.step()
    obs = model.observe()
    ahead = obs.t + np.array([0.0, 1.0, 2.5])
    path = rival_paths(obs, np.array([1]), obs.alpha_last, ahead, "trend")
    M = obs.capability[1] * np.exp(obs.capability_growth[1] * (ahead - obs.t))
    K = 0.2 * obs.compute[1] * np.exp(0.1 * (ahead - obs.t))
    np.testing.assert_allclose(path.tokens, K, rtol=1e-12)
    np.testing.assert_allclose(path.value, M ** 2 * K, rtol=1e-12)


def best_response_and_monopoly(market: MarketParams, rival_alpha: float):
    obs = observation([base_lab("a"), base_lab("b")], market)
    path = rival_paths(obs, np.array([1]), np.full(2, rival_alpha), T_GRID, "constant_alpha")
    response = solve_pontryagin(own_problem(obs, 0, path), T_GRID.size - 1)
    monopoly = solve_pontryagin(own_problem(obs, 0, RivalPath.none()), T_GRID.size - 1)
    return response, monopoly


def test_congestion_makes_a_lab_train_longer_than_its_monopoly_plan():
    """delta0 = 2 at the paper's scale, rival serving 70% of its compute. The rival's tokens push the
    price P = omega q - delta T down, so a token served early (when q is small) is worth little or
    nothing, while capability still raises the value of every later token: the lab moves compute from
    early serving to training. It leaves full-time training later, trains more in total and ends more
    capable than the monopolist facing the same demand, and earns less."""
    response, monopoly = best_response_and_monopoly(MarketParams.build(delta0=2.0), rival_alpha=0.3)
    assert response.converged and monopoly.converged
    assert response.switch_time() > monopoly.switch_time() + 0.2
    assert response.alpha.mean() > monopoly.alpha.mean() + 0.005
    assert response.capability[-1] > monopoly.capability[-1]
    assert response.npv < monopoly.npv


def test_business_stealing_is_a_race_to_capability():
    """lambda = 4 > gamma = 2 (no congestion): revenue follows relative capability, so every unit of
    capability also takes share from the rival. The lab trains more in total and ends more capable than
    its monopoly plan (which is also its plan when lambda = gamma, since then rivals do not matter)."""
    response, monopoly = best_response_and_monopoly(MarketParams.build(contest=4.0), rival_alpha=0.6)
    assert response.converged
    assert response.alpha.mean() > monopoly.alpha.mean() + 0.01
    assert response.capability[-1] > monopoly.capability[-1] * 1.02


SEAT_SCENARIOS = {
    "congestion": (MarketParams.build(delta0=2.0), 100.0, 0.4),
    "business_stealing": (MarketParams.build(delta0=0.5, contest=4.0), 100.0, 0.6),
    "asymmetric_compute": (MarketParams.build(delta0=2.0), 250.0, 0.5),
}
CHEAP_PARAMS = {"pontryagin": {"grid": 50}, "nash": {"grid": 50, "tol": 1e-5}}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SEAT_SCENARIOS))
def test_pontryagin_beats_every_registered_policy_against_predictable_rivals(scenario):
    """Against a constant-alpha rival the default forecast is exact (see above), so the Pontryagin lab
    solves its true problem: no other registered policy (at its defaults) can earn more in its seat, up
    to the solver's and the step's tolerance."""
    market, rival_compute, rival_alpha = SEAT_SCENARIOS[scenario]
    rival = base_lab("rival", compute0=rival_compute, policy="constant", policy_params={"alpha": rival_alpha})
    npv = {}
    for name in policy_names():
        params = dict(CHEAP_PARAMS.get(name, {}))
        if name == "pontryagin":
            params["initial_rival_alpha"] = rival_alpha
        seat = base_lab("seat", policy=name, policy_params=params)
        npv[name] = RaceModel(RaceConfig(labs=(seat, rival), market=market)).run().state.npv[0]
    best_other = max(v for k, v in npv.items() if k != "pontryagin")
    assert npv["pontryagin"] >= best_other * (1 - 1e-3), npv
    assert npv["pontryagin"] > min(npv.values()) * 1.05  # the comparison is not between equals


def test_heterogeneous_labs_and_laws_clear_together():
    """Power-law and chinchilla labs with different compute, growth and discounting in one model: each
    law group advances exactly as its law says, and the market clears on all labs at once."""
    specs = (
        base_lab("p", policy="constant", policy_params={"alpha": 0.4}, compute0=80.0, growth=0.2),
        base_lab("c", law="chinchilla", law_params={"data_cap": 1e12}, policy="constant",
                 policy_params={"alpha": 0.7}, compute0=300.0, discount=0.1),
        base_lab("q", law="power", law_params={"epsilon": 0.3}, policy="catch_up", growth=0.0),
    )
    market = MarketParams.build(delta0=0.5, contest=3.0)
    model = RaceModel(RaceConfig(labs=specs, market=market, horizon=2.0))
    s = model.state
    assert [g.law.name for g in s.groups] == ["power", "chinchilla"]
    for _ in range(5):
        M, F, C = s.capability.copy(), s.trained.copy(), s.compute.copy()
        model.step()
        cleared = clear(M, s.capacity, model.t - model.dt, market)
        np.testing.assert_allclose(s.revenue, cleared.revenue, rtol=1e-12)
        for i, spec in enumerate(specs):
            law = LAWS[spec.law]
            p = {k: np.array([np.nan if v is None else v]) for k, v in spec.law_kwargs.items()}
            M1, F1 = law.advance(M[i:i + 1], F[i:i + 1], s.alpha[i:i + 1], C[i:i + 1],
                                 np.array([spec.growth]), model.dt, p)
            assert s.capability[i] == pytest.approx(M1[0], rel=1e-12)
            assert s.trained[i] == pytest.approx(F1[0], rel=1e-12)
            assert s.compute[i] == pytest.approx(C[i] * np.exp(spec.growth * model.dt), rel=1e-12)


@pytest.mark.parametrize("law", ["power", "chinchilla", "inference_aware", "loss_optimal"])
def test_rivals_now_are_the_forecast_for_no_time_ahead(law):
    """The myopic decision's rivals (read off the observed state) are what the full forecast projects for
    the current time through each rival's law, and their tokens are the observed compute serving at the
    assumed shares."""
    from policies.forecast import rivals_now

    labs = (base_lab("me", policy="constant", policy_params={"alpha": 0.5}),
            base_lab("rival", law=law, policy="constant", policy_params={"alpha": 0.35}, compute0=150.0),
            base_lab("third", policy="constant", policy_params={"alpha": 0.6}, compute0=60.0))
    model = RaceModel(RaceConfig(labs=labs, market=MarketParams.build(delta0=2.0, contest=3.0)))
    for _ in range(3):
        model.step()
    obs = model.observe()
    rivals, shares = np.array([1, 2]), np.array([0.2, 0.7, 0.45])
    now = rivals_now(obs, rivals, shares)
    projected = rival_paths(obs, rivals, shares, np.array([obs.t]), "constant_alpha")
    for name in ("value", "tokens", "log_weight"):
        np.testing.assert_allclose(getattr(now, name), getattr(projected, name), rtol=1e-13)
    if LAWS[law].serving is None:
        assert now.tokens[0] == pytest.approx(float(np.sum((1.0 - shares[rivals]) * obs.compute[rivals])), rel=1e-15)
