"""The market's consistency checks of model.md §2, and the single-lab revenue the solver plans with.

Expected values are written out from the formulas (Troynikov's eq. 2, the Hao–Merrill pool), not taken
from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from labs.params import ParameterError
from market.clearing import clear
from market.demand import DEMANDS
from market.params import MarketParams
from policies.revenue import MarketRevenue, RivalPath

RNG = np.random.default_rng(20250423)


def random_market(n: int) -> tuple[np.ndarray, np.ndarray]:
    return RNG.uniform(0.5, 50.0, n), RNG.uniform(0.0, 300.0, n)


@pytest.mark.parametrize("gamma", [0.3, 1.0, 2.0, 3.5])
def test_single_lab_without_congestion_earns_troynikov_revenue(gamma):
    beta_R = 1.7
    market = MarketParams.build(omega=beta_R, gamma=gamma, delta0=0.0)
    for _ in range(50):
        M, alpha, C = RNG.uniform(0.1, 100.0), RNG.uniform(0.0, 1.0), RNG.uniform(1.0, 500.0)
        result = clear(np.array([M]), np.array([(1.0 - alpha) * C]), 3.0, market)
        assert result.revenue[0] == pytest.approx(beta_R * M ** gamma * (1.0 - alpha) * C, rel=1e-12)


@pytest.mark.parametrize("market", [
    MarketParams.build(delta0=0.0), MarketParams.build(delta0=2.0, contest=4.0), MarketParams.build(delta0=0.5, contest=0.0),
    MarketParams.build(demand="capacity", capacity0=400.0, contest=3.0), MarketParams.build(gamma=0.5, delta0=1e-3)])
def test_revenues_add_up_to_the_pool(market):
    for n in (1, 2, 5, 40):
        M, K = random_market(n)
        result = clear(M, K, 1.5, market)
        assert result.revenue.sum() == pytest.approx(result.pool, rel=1e-12, abs=1e-9)
        assert result.pool == pytest.approx(max(0.0, result.price) * K.sum(), rel=1e-12)


def test_shares_do_not_change_when_all_capacities_are_rescaled():
    market = MarketParams.build(delta0=1.0, contest=3.0)
    M, K = random_market(6)
    base = clear(M, K, 0.0, market).shares
    for factor in (1e-3, 0.5, 7.0, 1e4):
        np.testing.assert_allclose(clear(M, factor * K, 0.0, market).shares, base, rtol=1e-12)


def test_a_lab_that_serves_nothing_earns_nothing():
    M, K = random_market(5)
    K[2] = 0.0
    for market in (MarketParams(), MarketParams.build(delta0=1.0, contest=6.0), MarketParams.build(demand="capacity")):
        result = clear(M, K, 0.0, market)
        assert result.revenue[2] == 0.0
        assert result.shares[2] == 0.0
    nobody = clear(M, np.zeros(5), 0.0, MarketParams())
    assert np.all(nobody.revenue == 0.0) and nobody.pool == 0.0


@pytest.mark.parametrize("delta0", [0.0, 0.01, 0.5, 50.0])
def test_contest_equal_to_gamma_pays_each_lab_its_own_value(delta0):
    omega, gamma, t, g_d = 1.3, 2.0, 2.0, 0.1
    market = MarketParams.build(omega=omega, gamma=gamma, delta0=delta0, demand_growth=g_d)
    M, K = random_market(4)
    delta = delta0 * np.exp(-g_d * t)
    quality = np.sum(M ** gamma * K) / K.sum()
    expected = M ** gamma * K * max(0.0, omega - delta * K.sum() / quality)
    np.testing.assert_allclose(clear(M, K, t, market).revenue, expected, rtol=1e-10, atol=1e-9)


def test_capacity_demand_is_quasilinear_with_delta_equal_to_omega_quality_over_capacity():
    omega, D = 0.8, 900.0
    market = MarketParams.build(omega=omega, demand="capacity", capacity0=D)
    M, K = random_market(3)
    quality = np.sum(M ** 2 * K) / K.sum()
    expected = M ** 2 * K * max(0.0, omega - (omega * quality / D) * K.sum() / quality)
    np.testing.assert_allclose(clear(M, K, 0.0, market).revenue, expected, rtol=1e-10)


def test_without_congestion_and_contest_equal_to_gamma_labs_are_independent():
    market = MarketParams.build(delta0=0.0)
    M, K = random_market(5)
    together = clear(M, K, 0.0, market).revenue
    alone = [clear(M[i:i + 1], K[i:i + 1], 0.0, market).revenue[0] for i in range(5)]
    np.testing.assert_allclose(together, alone, rtol=1e-12)


CONGESTED = {"quasilinear": MarketParams.build(delta0=2.0, contest=4.0),
             "capacity": MarketParams.build(demand="capacity", capacity0=500.0, contest=1.0),
             "isoelastic": MarketParams.build(demand="isoelastic", elasticity=1.5, reference_tokens=300.0,
                                              contest=3.0)}


def test_every_demand_form_has_a_congested_market_here():
    assert set(CONGESTED) == set(DEMANDS)


@pytest.mark.parametrize("market", CONGESTED.values(), ids=CONGESTED.keys())
def test_planning_revenue_equals_clearing_against_the_same_rivals(market):
    """The solver's single-lab revenue, built from rival aggregates, must equal the full clearing."""
    M_r, K_r = random_market(3)
    rivals = RivalPath(t=np.array([0.0]), value=np.array([np.sum(M_r ** market.gamma * K_r)]),
                       tokens=np.array([K_r.sum()]),
                       log_weight=np.array([np.log(np.sum(M_r ** market.contest_exponent * K_r))]))
    revenue = MarketRevenue(market, compute0=200.0, growth=0.0, rivals=rivals).on_grid(np.array(0.0))

    def at(M: float, alpha: float) -> float:
        return float(revenue(np.array(M), np.array(alpha)))

    h = 1e-6
    for M, alpha in [(3.0, 0.2), (20.0, 0.7), (45.0, 0.05)]:
        K = (1.0 - alpha) * 200.0
        full = clear(np.append(M, M_r), np.append(K, K_r), 0.0, market).revenue[0]
        assert at(M, alpha) == pytest.approx(full, rel=1e-10)
        dM = (at(M + h, alpha) - at(M - h, alpha)) / (2 * h)
        dalpha = (at(M, alpha + h) - at(M, alpha - h)) / (2 * h)
        assert float(revenue.dM(np.array(M), np.array(alpha))) == pytest.approx(dM, rel=1e-5)
        assert float(revenue.dalpha(np.array(M), np.array(alpha))) == pytest.approx(dalpha, rel=1e-5)


@pytest.mark.parametrize("field, value", [("gamma", 0.0), ("gamma", -1.0), ("omega", 0.0), ("delta0", -0.1),
                                          ("demand", "linear"), ("capacity0", 0.0), ("gamma", float("nan"))])
def test_bad_market_parameters_are_rejected_by_name(field, value):
    with pytest.raises(ParameterError) as error:
        MarketParams.from_dict({field: value})
    assert error.value.path == f"market.{field}"
    assert error.value.allowed


def test_unknown_market_parameter_suggests_the_closest_name():
    with pytest.raises(ParameterError, match="did you mean 'delta0'") as error:
        MarketParams.from_dict({"delta": 1.0})
    assert error.value.path == "market.delta"


@pytest.mark.parametrize("gamma", [0.5, 2.0, 3.0])
def test_shares_when_the_contest_exponent_is_gamma_are_the_parts_of_the_markets_value(gamma):
    """With lambda = gamma a lab's contest weight is the value it serves, so its share is that value over
    the market's (written out here from M^gamma K); a total that overflows falls back to the rescaled
    weights, which give the same shares."""
    market = MarketParams.build(gamma=gamma, delta0=0.5)
    for n in (1, 2, 7):
        M, K = random_market(n)
        served = M ** gamma * K
        result = clear(M, K, 1.0, market)
        np.testing.assert_allclose(result.shares, served / served.sum(), rtol=1e-14)
    M = np.array([1e200, 3e199, 1e150])  # M^gamma K overflows for gamma >= 2
    K = np.array([1.0, 2.0, 3.0])
    expected = (M / M[0]) ** gamma * K
    # Weights for a general exponent go through logs of M (about 460 here): rounding of about lambda log M ulps.
    with np.errstate(over="ignore"):  # the market's value is infinite
        shares = clear(M, K, 1.0, MarketParams.build(gamma=gamma, delta0=0.0)).shares
    np.testing.assert_allclose(shares, expected / expected.sum(), rtol=1e-12)
