"""Steady-state closed forms against long-horizon numerical optima, and the policy's validity handling."""

from __future__ import annotations

import numpy as np
import pytest

from labs.params import ParameterError
from labs.spec import LabSpec
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.optimal_control import solve_pontryagin
from policies.registry import resolve_policy
from policies.steady_state import balanced_growth_share, paper_share
from labrace.reproductions.problem import TroynikovCase
from labrace.reproductions.steady import best_constant, mid_horizon_alpha

LONG = 300.0


def one(fn, eps, gamma, growth, rho):
    share, valid = fn(np.array([eps]), gamma, np.array([growth]), np.array([rho]))
    return float(share[0]), bool(valid[0])


@pytest.mark.parametrize("eps, gamma, rho, growth", [(0.5, 2.0, 0.3, 0.1), (0.7, 1.5, 0.4, 0.1),
                                                     (0.5, 0.5, 0.2, 0.1), (0.5, 2.0, 0.5, 0.1)])
def test_balanced_growth_share_is_the_long_horizon_optimum_inside_its_region(eps, gamma, rho, growth):
    share, valid = one(balanced_growth_share, eps, gamma, growth, rho)
    assert valid
    case = TroynikovCase(epsilon=eps, gamma=gamma, rho=rho, growth=growth, horizon=LONG)
    assert mid_horizon_alpha(case) == pytest.approx(share, abs=1e-5)


def test_eq_11_is_not_the_long_horizon_optimum_even_where_it_is_valid():
    eq11, valid = one(paper_share, 0.5, 2.0, 0.1, 0.3)
    assert valid and eq11 == pytest.approx(0.5 / (0.5 + 1.0 * (1 - 1 / 3)))
    numerical = mid_horizon_alpha(TroynikovCase(rho=0.3, horizon=LONG))
    assert abs(numerical - eq11) > 0.1


def test_no_steady_state_where_discounted_revenue_grows():
    """rho = 0.15 < (1 + gamma eps) g = 0.2: the optimum trains flat out for a long time, then switches."""
    _, valid = one(balanced_growth_share, 0.5, 2.0, 0.1, 0.15)
    assert not valid
    result = solve_pontryagin(TroynikovCase(rho=0.15, horizon=LONG).problem(), 30000, max_iter=5000)
    assert result.converged
    assert np.all(result.alpha[result.t < 0.4 * LONG] == 1.0)
    assert result.alpha_at(0.95 * LONG) < 0.9


@pytest.mark.parametrize("rho, valid", [(0.2 + 1e-9, True), (0.2, False), (0.19, False), (0.05, False)])
def test_balanced_growth_validity_boundary_is_rho_above_one_plus_gamma_eps_times_g(rho, valid):
    assert one(balanced_growth_share, 0.5, 2.0, 0.1, rho)[1] is valid


def test_balanced_growth_needs_growing_compute():
    assert not one(balanced_growth_share, 0.5, 2.0, 0.0, 0.3)[1]
    assert not one(balanced_growth_share, 0.5, 2.0, -0.1, 0.3)[1]


def test_paper_formula_gives_the_published_0_6_only_at_the_scripts_discount_rate():
    assert one(paper_share, 0.5, 2.0, 0.1, 0.15) == (pytest.approx(0.6), True)
    share, valid = one(paper_share, 0.5, 2.0, 0.1, 0.05)
    assert share == pytest.approx(-1.0) and not valid


@pytest.mark.parametrize("eps, gamma", [(0.5, 2.0), (0.3, 3.0), (0.8, 0.5)])
def test_best_constant_share_is_gamma_eps_over_one_plus_gamma_eps_when_capability_starts_near_zero(eps, gamma):
    for rho, horizon in ((0.15, 100.0), (0.05, 10.0)):
        case = TroynikovCase(epsilon=eps, gamma=gamma, rho=rho, horizon=horizon, capability0=1e-9)
        assert best_constant(case) == pytest.approx(gamma * eps / (1 + gamma * eps), abs=1e-6)


def alphas_of(policy_params: dict, law: str = "power", discount: float = 0.3, growth: float = 0.1) -> np.ndarray:
    spec = LabSpec.build("lab", law=law, policy="steady_state", policy_params=policy_params, discount=discount,
                         growth=growth)
    model = RaceModel(RaceConfig(labs=(spec,), horizon=1.0)).run()
    return model.labs_frame()["alpha"].to_numpy()


def test_policy_uses_each_formula_inside_its_region_and_the_fallback_outside():
    np.testing.assert_allclose(alphas_of({"variant": "balanced_growth"}), 0.25)
    np.testing.assert_allclose(alphas_of({"variant": "balanced_growth", "fallback": 0.7}, discount=0.05), 0.7)
    np.testing.assert_allclose(alphas_of({"variant": "balanced_growth", "fallback": 0.3}, law="chinchilla"), 0.3)
    np.testing.assert_allclose(alphas_of({"variant": "paper"}, discount=0.15), 0.6)
    np.testing.assert_allclose(alphas_of({"variant": "paper", "fallback": 0.9}, discount=0.05), 0.9)
    np.testing.assert_allclose(alphas_of({"variant": "constant"}, discount=0.05), 0.5)


def test_unknown_variant_is_rejected_by_name():
    with pytest.raises(ParameterError) as error:
        resolve_policy("steady_state", {"variant": "bgp"})
    assert error.value.path == "policy.params.variant"
    assert "balanced_growth" in error.value.allowed
