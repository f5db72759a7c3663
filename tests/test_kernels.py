"""The planner's compiled loops (:mod:`policies.kernels`) against the numpy code they stand in for.

* The compiled slope of H and H itself: the slope's revenue term is numpy's bit for bit (the reference
  is the demand form's own ``pool`` and ``pool_derivatives`` through
  :meth:`policies.revenue.RevenueAt.dalpha`); its training term, ``lambda drate/dalpha`` from the law's
  ``rate_power``, is the law's ``drate_dalpha`` to rounding, and so is H (its rate from ``rate_power``).
* ``rate_power`` is each declaring law's ``rate`` and ``drate_dalpha``.
* The compiled local and unimodal maximisers return the numpy-driven paths' maxima (the same brackets,
  the same search) on congested and saturated markets, with and without rivals and costates.
* Forms without a compiled pool take numpy's path.

The problems cover pools floored at zero, a lab serving nothing (alpha = 1), the power law's infinite
marginal product at alpha = 0, zero costates, stacked alphas and a grid taken at some of its points.
"""

from __future__ import annotations

import numpy as np
import pytest

from labs.laws import LAWS
from market.params import MarketParams
from policies.kernels import COMPILED_FORMS
from policies.optimal_control import LabProblem, _finish, _local_bracket, _scan_bracket
from policies.revenue import MarketRevenue, RivalPath

LAW_PARAMS = {"power": {"beta_T": 1.0, "epsilon": 0.5, "capability0": 1.0},
              "chinchilla": {"efficiency": 1e22, "tokens_per_param": 20.0, "data_cap": 1e12, "trained0": 10.0}}

MARKETS = {"quasilinear": [dict(delta0=0.5), dict(delta0=5.0, contest=3.0), dict(delta0=40.0)],
           "capacity": [dict(demand="capacity", capacity0=400.0),
                        dict(demand="capacity", capacity0=60.0, contest=4.0)]}
"""Per form, markets from open to saturated (the last floors the pool at zero at some points and alphas)."""


def _hamiltonian(law: str, market: MarketParams, rivals: bool, seed: int, with_costate: bool = True):
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 10.0, 201)
    path = (RivalPath.of_labs(t, np.full((1, t.size), 30.0) * np.exp(0.1 * t),
                              rng.uniform(5.0, 80.0, (1, t.size)), market.gamma, market.contest_exponent)
            if rivals else RivalPath.none())
    x0 = 1.0 if law == "power" else 10.0
    problem = LabProblem(LAWS[law], LAW_PARAMS[law], x0, MarketRevenue(market, 150.0, 0.1, 0.0, path), 0.05,
                         0.0, 10.0)
    x = x0 * np.exp(rng.uniform(0.0, 3.0, t.size))
    scale = 1.0 if law == "power" else 1e-2
    costate = scale * rng.uniform(0.0, 5.0, t.size) * np.where(rng.random(t.size) < 0.2, 0.0, 1.0) * with_costate
    return problem.on_grid(t).at(x, costate), rng


def _numpy_slope_terms(h, alpha):
    g = h.grid
    with np.errstate(divide="ignore", invalid="ignore"):
        training = h.costate * g.problem.law.drate_dalpha(alpha, g.compute, g.law_params)
    return np.where(h.costate == 0, 0.0, training), -(g.discount * h.revenue.dalpha(alpha))


def _cases():
    for law in ("power", "chinchilla"):
        for form in sorted(COMPILED_FORMS):
            for rivals in (True, False):
                for seed, settings in enumerate(MARKETS[form]):
                    seats = "rivals" if rivals else "alone"
                    yield pytest.param(law, settings, rivals, seed, id=f"{law}-{form}-{seed}-{seats}")


@pytest.mark.parametrize("law, settings, rivals, seed", list(_cases()))
def test_compiled_slope_terms_are_numpys(law, settings, rivals, seed):
    h, rng = _hamiltonian(law, MarketParams.build(**settings), rivals, seed)
    assert h.compiled_terms() is not None
    n = h.costate.size
    tried = [rng.uniform(0.0, 1.0, n), np.zeros(n), np.ones(n), np.array(0.3),
             np.vstack([rng.uniform(0.0, 1.0, n), np.full(n, 1e-13)]), np.linspace(0.0, 1.0, 12)[:, None]]
    for alpha in tried:
        gain, loss = h.slope_terms(alpha)
        ref_gain, ref_loss = _numpy_slope_terms(h, alpha)
        np.testing.assert_array_equal(loss, ref_loss)
        # drate from rate_power associates its products differently from drate_dalpha: a few ulps apart.
        np.testing.assert_allclose(gain, ref_gain, rtol=4 * np.finfo(float).eps, atol=0.0)
        assert np.array_equal(np.isinf(gain), np.isinf(ref_gain))
        g = h.grid
        ref_value = g.discount * h.revenue.revenue(alpha) + h.costate * g.rate(alpha)
        np.testing.assert_allclose(h.value(alpha), ref_value, rtol=4 * np.finfo(float).eps,
                                   atol=4 * np.finfo(float).eps * np.max(np.abs(ref_value)))
    index = np.sort(rng.choice(n, 37, replace=False))
    alpha = np.full(n, 0.5)
    alpha[index] = rng.uniform(0.0, 1.0, index.size)
    part = h.take(index)
    np.testing.assert_array_equal(part.slope(alpha[index]), h.slope(alpha)[index])
    if settings.get("delta0") == 40.0 or settings.get("capacity0") == 60.0:
        assert np.any(h.revenue.revenue(np.zeros(n)) <= 0.0), "a saturated market floors some pools"


@pytest.mark.parametrize("law", ["power", "chinchilla", "loss_optimal", "inference_aware"])
def test_rate_power_is_the_laws_rate(law):
    spec = LAWS[law]
    params = {name: param.default for name, param in spec.params.items()}
    if "data_cap" in params:
        params["data_cap"] = 1e12
    C = np.array([0.5, 30.0, 400.0])
    alpha = np.array([0.0, 0.37, 1.0])
    coefficient, exponent = spec.rate_power(C, params)
    np.testing.assert_allclose(coefficient * alpha ** exponent, spec.rate(alpha, C, params), rtol=1e-15)
    interior = np.array([1e-9, 0.37, 1.0])
    np.testing.assert_allclose(coefficient * exponent * interior ** (np.asarray(exponent) - 1.0),
                               spec.drate_dalpha(interior, C, params), rtol=1e-15)


@pytest.mark.parametrize("law, settings, rivals, seed", list(_cases()))
def test_compiled_local_maximiser_is_the_numpy_path(law, settings, rivals, seed):
    h, rng = _hamiltonian(law, MarketParams.build(**settings), rivals, seed)
    n = h.costate.size
    reference = _finish(h, *_local_bracket(h, np.full(n, 0.5), 0.5), xtol=0.0)  # every maximum, to rounding
    start = np.clip(reference + rng.normal(0.0, 0.02, n), 0.0, 1.0)
    for half, regrow, xtol in ((1.0 / 64.0, 0.0, 0.0), (np.full(n, 1e-6), 1e-3, 1e-9),
                               (rng.uniform(1e-12, 0.05, n), 0.0, rng.uniform(0.0, 1e-6, n))):
        report: dict = {}
        compiled = h.local_argmax(start, half, regrow, xtol, report)
        numpy_path = _finish(h, *_local_bracket(h, start, half, regrow), xtol=xtol)
        # The same brackets and search steps; only the gain's rounding (see above) can move a point, by
        # about the resolution.
        np.testing.assert_allclose(compiled, numpy_path, rtol=0.0, atol=1e-13 + np.max(np.asarray(xtol)))
        assert not report


@pytest.mark.parametrize("law, settings, rivals, seed", list(_cases()))
def test_compiled_unimodal_maximiser_is_the_numpy_path(law, settings, rivals, seed):
    # One step's revenue (the myopic argmax) is unimodal; with rivals and a costate H may not be.
    h, rng = _hamiltonian(law, MarketParams.build(**settings), rivals, seed, with_costate=not rivals)
    assert h.unimodal
    n = h.costate.size
    for xtol in (0.0, 1e-9, rng.uniform(0.0, 1e-6, n)):
        report: dict = {}
        compiled = h.unimodal_argmax(xtol, report)
        numpy_path = _finish(h, *_scan_bracket(h), xtol=xtol)
        np.testing.assert_allclose(compiled, numpy_path, rtol=0.0, atol=1e-13 + np.max(np.asarray(xtol)))
        assert not report


def test_other_forms_take_numpys_path():
    market = MarketParams.build(demand="isoelastic", elasticity=1.5)
    h, rng = _hamiltonian("power", market, True, 0)
    assert h.compiled_terms() is None
    alpha = rng.uniform(0.0, 1.0, h.costate.size)
    gain, loss = _numpy_slope_terms(h, alpha)
    np.testing.assert_array_equal(h.slope(alpha), gain - loss)
    assert h.local_argmax(alpha, 0.01, 0.0, 0.0, None) is None
    assert h.unimodal_argmax(0.0, None) is None
