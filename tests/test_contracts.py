"""Every registered capability law and demand form honours its contract (labs/laws/base.py,
market/demand/base.py), checked against independent computations: finite differences, quadrature of the
rate, a brute-force maximiser. Laws and forms are drawn from their registries, so a new one is checked
the moment its module exists.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from labs.laws import LAWS
from market.demand import DEMANDS

LAW_NAMES = sorted(LAWS)
DEMAND_NAMES = sorted(DEMANDS)


def scaled(spec) -> st.SearchStrategy:
    """Values over a parameter's declared exploration range (log-uniform across orders of magnitude)."""
    low, high = spec.scale
    if low > 0 and high / low >= 100:
        return st.floats(np.log(low), np.log(high)).map(np.exp)
    return st.floats(low, high)


@st.composite
def law_cases(draw):
    name = draw(st.sampled_from(LAW_NAMES))
    law = LAWS[name]
    p = {key: draw(scaled(spec)) for key, spec in law.params.items()}
    M0, F0 = law.initial_state({k: np.array([v]) for k, v in p.items()})
    return law, p, float(M0[0]), float(F0[0])


def test_every_parameter_declares_an_exploration_range_inside_its_valid_range():
    for owner in [*LAWS.values(), *DEMANDS.values()]:
        for spec in owner.params.values():
            assert spec.scale is not None, f"{owner.name}.{spec.name} declares no scale"
            for end in spec.scale:
                spec.check(end)


@settings(max_examples=60, deadline=None)
@given(law_cases(), st.floats(0.05, 0.95), st.floats(1.0, 500.0), st.floats(1.0, 3.0))
def test_law_derivatives_match_finite_differences(case, alpha, C, multiplier):
    law, p, M0, F0 = case
    x = float(law.planning_state(np.array([M0]), np.array([F0]))[0]) * 1.7
    h = 1e-6 * x
    numeric = (law.capability(np.array([x + h]), p, multiplier) - law.capability(np.array([x - h]), p, multiplier)) / (2 * h)
    np.testing.assert_allclose(law.dcapability_dx(np.array([x]), p, multiplier), numeric, rtol=1e-5)
    da = 1e-6
    numeric = (law.rate(np.array(alpha + da), C, p) - law.rate(np.array(alpha - da), C, p)) / (2 * da)
    np.testing.assert_allclose(law.drate_dalpha(np.array(alpha), C, p), numeric, rtol=1e-5)


@settings(max_examples=40, deadline=None)
@given(law_cases(), st.floats(0.05, 1.0), st.floats(1.0, 500.0), st.floats(-0.3, 0.8), st.floats(0.01, 2.0))
def test_law_gain_is_the_integral_of_its_rate_and_advance_keeps_the_multiplier(case, alpha, C, g, dt):
    law, p, M0, F0 = case
    exact, _ = quad(lambda s: float(law.rate(np.array(alpha), C * np.exp(g * s), p)), 0.0, dt, epsabs=0, epsrel=1e-12)
    np.testing.assert_allclose(law.gain(np.array(alpha), C, g, dt, p), exact, rtol=1e-9)
    da = 1e-6
    numeric = (law.gain(np.array(alpha + da), C, g, dt, p) - law.gain(np.array(alpha - da), C, g, dt, p)) / (2 * da)
    np.testing.assert_allclose(law.gain_dalpha(np.array(alpha), C, g, dt, p), numeric, rtol=1e-5)
    M, F = np.array([M0 * 1.3]), np.array([F0])  # a lab that has had a breakthrough of 30%
    before = law.multiplier(M, F, p)
    M1, F1 = law.advance(M, F, np.array([alpha]), np.array([C]), np.array([g]), dt, p)
    np.testing.assert_allclose(law.multiplier(M1, F1, p), before, rtol=1e-12)
    x1 = law.planning_state(M, F) + law.gain(np.array([alpha]), C, g, dt, p)
    np.testing.assert_allclose(M1, law.capability(x1, p, before), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(law_cases(), st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(1.0, 500.0), st.floats(-0.3, 0.8)),
                             min_size=1, max_size=4), st.floats(0.01, 2.0))
def test_a_laws_stepper_gives_exactly_the_numbers_of_its_advance(case, labs, dt):
    """The model advances through ``stepper`` (constants made once per run); results must not move a bit."""
    law, p, M0, F0 = case
    alpha, C, g = (np.array(column) for column in zip(*labs))
    n = alpha.size
    params = {k: np.full(n, v) for k, v in p.items()}
    M, F = np.full(n, M0) * np.linspace(1.0, 1.5, n), np.full(n, F0) * np.linspace(1.0, 2.0, n)
    expected = law.advance(M, F, alpha, C, g, dt, params)
    got = law.stepper(g, dt, params)(M, F, alpha, C)
    for ours, theirs in zip(got, expected):
        assert np.array_equal(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(law_cases(), st.floats(1e-3, 1e3), st.floats(1e-3, 1e3), st.floats(1.0, 500.0))
def test_a_declared_separable_argmax_beats_every_alpha_on_a_fine_grid(case, serving_value, costate, C):
    law, p, _, _ = case
    if law.separable_argmax is None:
        pytest.skip(f"{law.name} declares no closed-form maximiser")
    grid = np.linspace(0.0, 1.0, 20001)
    H = serving_value * (1.0 - grid) * C + costate * law.rate(grid, C, p)
    best = float(law.separable_argmax(np.array(serving_value), np.array(costate), np.array(C), p))
    at_best = serving_value * (1.0 - best) * C + costate * law.rate(np.array(best), C, p)
    assert 0.0 <= best <= 1.0
    assert at_best >= H.max() - 1e-9 * max(1.0, abs(H.max()))


@settings(max_examples=40, deadline=None)
@given(law_cases())
def test_a_declared_training_elasticity_is_positive_and_finite(case):
    law, p, M0, F0 = case
    if law.training_elasticity is None:
        pytest.skip(f"{law.name} declares no training elasticity")
    value = law.training_elasticity(np.array([M0]), np.array([F0]), {k: np.array([v]) for k, v in p.items()})
    assert np.all(np.isfinite(value) & (value > 0))


@st.composite
def demand_cases(draw):
    form = DEMANDS[draw(st.sampled_from(DEMAND_NAMES))]
    p = {key: draw(scaled(spec)) for key, spec in form.params.items()}
    t, growth = draw(st.floats(0.0, 10.0)), draw(st.floats(-0.2, 0.5))
    return form, p, form.condition(np.array(t), growth, p)


@settings(max_examples=80, deadline=None)
@given(demand_cases(), st.floats(1.0, 1e4), st.floats(1.0, 5e3), st.floats(0.1, 5.0))
def test_demand_pool_derivatives_match_finite_differences_and_the_pool_is_never_negative(case, V, T, omega):
    form, p, cond = case
    pool = form.pool(np.array(V), np.array(T), cond, omega)
    assert pool >= 0.0
    dV, dT = form.pool_derivatives(np.array(V), np.array(T), cond, omega)
    hV, hT = 1e-7 * V, 1e-7 * T
    numeric_V = (form.pool(np.array(V + hV), T, cond, omega) - form.pool(np.array(V - hV), T, cond, omega)) / (2 * hV)
    numeric_T = (form.pool(V, np.array(T + hT), cond, omega) - form.pool(V, np.array(T - hT), cond, omega)) / (2 * hT)
    scale = max(1.0, abs(float(pool))) * 1e-4
    if abs(float(pool)) > 1e-6 * omega * V:  # away from the kink where the price reaches zero
        np.testing.assert_allclose(dV, numeric_V, rtol=1e-4, atol=scale / V)
        np.testing.assert_allclose(dT, numeric_T, rtol=1e-4, atol=scale / T)


@pytest.mark.parametrize("name", DEMAND_NAMES)
def test_an_independent_demand_form_pays_omega_times_value(name):
    form = DEMANDS[name]
    defaults = {key: spec.default for key, spec in form.params.items()}
    V, T = np.array([3.0, 50.0]), np.array([7.0, 900.0])
    cond = form.condition(np.array(1.0), 0.1, defaults)
    if form.independent(defaults):
        np.testing.assert_allclose(form.pool(V, T, cond, 2.0), 2.0 * V, rtol=1e-15)
    else:
        assert not np.allclose(form.pool(V, T, cond, 2.0), 2.0 * V)


@settings(max_examples=40, deadline=None)
@given(law_cases().filter(lambda case: case[0].serving is not None))
def test_a_declared_serving_factor_is_positive_and_its_derivative_matches_finite_differences(case):
    law, p, M0, F0 = case
    x = float(law.planning_state(np.array([M0]), np.array([F0]))[0]) * 1.7
    sigma, dsigma = law.serving(np.array([x]), p)
    h = 1e-6 * x
    numeric = (law.serving(np.array([x + h]), p)[0] - law.serving(np.array([x - h]), p)[0]) / (2 * h)
    assert np.all(sigma > 0)
    np.testing.assert_allclose(dsigma, numeric, rtol=1e-5)
