"""The compiled slope of the Hamiltonian gives numpy's numbers, bit for bit.

:mod:`policies.revenue_kernel` writes the pools of the quasilinear and capacity forms a second time, as
compiled scalars, and :meth:`policies.optimal_control.HamiltonianAt.slope_terms` uses them where it can.
The reference here is the numpy formula it replaces: the law's ``drate_dalpha`` times the costate (0
where the costate is 0) and ``-e^{-rho t}`` times :meth:`policies.revenue.RevenueAt.dalpha`, which
calls the demand form's own ``pool`` and ``pool_derivatives``. The problems cover congested and
saturated markets (pools floored at zero), a lab serving nothing (alpha = 1), the power law's
infinite marginal product at alpha = 0, zero costates, stacked alphas and a grid taken at some points.
"""

from __future__ import annotations

import numpy as np
import pytest

from labs.laws import LAWS
from market.params import MarketParams
from policies.optimal_control import LabProblem
from policies.revenue import MarketRevenue, RivalPath
from policies.revenue_kernel import COMPILED_FORMS

LAW_PARAMS = {"power": {"beta_T": 1.0, "epsilon": 0.5, "capability0": 1.0},
              "chinchilla": {"efficiency": 1e22, "tokens_per_param": 20.0, "data_cap": 1e12, "trained0": 10.0}}


def _hamiltonian(law: str, market: MarketParams, rivals: bool, seed: int):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 10.0, 201)
    path = (RivalPath.of_labs(t, np.full((1, t.size), 30.0) * np.exp(0.1 * t),
                              rng.uniform(5.0, 80.0, (1, t.size)), market.gamma, market.contest_exponent)
            if rivals else RivalPath.none())
    x0 = 1.0 if law == "power" else 10.0
    problem = LabProblem(LAWS[law], LAW_PARAMS[law], x0, MarketRevenue(market, 150.0, 0.1, 0.0, path), 0.05,
                         0.0, 10.0)
    x = x0 * np.exp(rng.uniform(0.0, 3.0, t.size))
    costate = rng.uniform(0.0, 5.0, t.size) * np.where(rng.random(t.size) < 0.2, 0.0, 1.0)
    return problem.on_grid(t).at(x, costate), rng


def _numpy_slope_terms(h, alpha):
    g = h.grid
    with np.errstate(divide="ignore", invalid="ignore"):
        training = h.costate * g.problem.law.drate_dalpha(alpha, g.compute, g.law_params)
    return np.where(h.costate == 0, 0.0, training), -(g.discount * h.revenue.dalpha(alpha))


MARKETS = {"quasilinear": [dict(delta0=0.5), dict(delta0=5.0, contest=3.0), dict(delta0=40.0)],
           "capacity": [dict(demand="capacity", capacity0=400.0), dict(demand="capacity", capacity0=60.0, contest=4.0)]}
"""Per form, markets from open to saturated (the last floors the pool at zero at some points and alphas)."""


def _slope(terms):
    gain, loss = terms
    return gain - loss


@pytest.mark.parametrize("law", ["power", "chinchilla"])
@pytest.mark.parametrize("form", sorted(COMPILED_FORMS))
@pytest.mark.parametrize("rivals", [True, False])
def test_compiled_slope_terms_are_numpys(law, form, rivals):
    for seed, settings in enumerate(MARKETS[form]):
        h, rng = _hamiltonian(law, MarketParams.build(**settings), rivals, seed)
        assert h._form == COMPILED_FORMS[form]
        n = h.costate.size
        tried = [rng.uniform(0.0, 1.0, n), np.zeros(n), np.ones(n), np.array(0.3),
                 np.vstack([rng.uniform(0.0, 1.0, n), np.full(n, 1e-13)]), np.linspace(0.0, 1.0, 12)[:, None]]
        for alpha in tried:
            gain, loss = h.slope_terms(alpha)
            ref_gain, ref_loss = _numpy_slope_terms(h, alpha)
            np.testing.assert_array_equal(gain, ref_gain)
            np.testing.assert_array_equal(loss, ref_loss)
        index = np.sort(rng.choice(n, 37, replace=False))
        alpha = np.full(n, 0.5)
        alpha[index] = rng.uniform(0.0, 1.0, index.size)
        part = h.take(index)
        np.testing.assert_array_equal(part.slope(alpha[index]), h.slope(alpha)[index])
        np.testing.assert_array_equal(part.slope(alpha[index]), _slope(_numpy_slope_terms(part, alpha[index])))
    assert np.any(h.revenue.revenue(np.zeros(n)) <= 0.0), "the saturated market should floor some pools"


def test_other_forms_take_numpys_path():
    market = MarketParams.build(demand="isoelastic", elasticity=1.5)
    h, rng = _hamiltonian("power", market, True, 0)
    assert h._form is None
    alpha = rng.uniform(0.0, 1.0, h.costate.size)
    np.testing.assert_array_equal(h.slope(alpha), _slope(_numpy_slope_terms(h, alpha)))
