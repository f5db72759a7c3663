"""The grid engine against the Levhari-Mirman closed form: c_i = (1 - alpha beta) / (n - (n - 1) alpha beta) x."""

from __future__ import annotations

import numpy as np
import pytest

from policies.feedback.engine import solve_markov_perfect
from policies.feedback.fish_war import FishWar
from policies.feedback.grid import StateGrid

LOWEST = 0.05
REFINEMENT = (9, 17, 33, 65)
SMOOTHING = 3  # above the degree of the closed-form rule, so the fit does not hand the answer over


def solve(war: FishWar, nodes: int):
    grid = StateGrid((np.geomspace(LOWEST, 1.0, nodes),))
    result = solve_markov_perfect(war, grid, smoothing=SMOOTHING)
    stock = grid.points[:, 0]
    rule_error = float(np.max(np.abs(result.strategies / stock - war.catch_rate)))
    value_error = float(np.max(np.abs(result.values - war.closed_form_value(stock))))
    return result, rule_error, value_error


def test_the_closed_form_of_two_countries():
    war = FishWar(alpha=0.7, discount=0.95)
    assert war.catch_rate == pytest.approx((1 - 0.665) / (2 - 0.665))
    x = war.steady_state()
    assert ((1 - 2 * war.catch_rate) * x) ** war.alpha == pytest.approx(x)


def test_the_catch_rule_converges_to_the_closed_form_under_grid_refinement():
    war = FishWar(minimum_stock=LOWEST)
    errors = []
    for nodes in REFINEMENT:
        result, rule_error, value_error = solve(war, nodes)
        assert result.converged, result.message
        assert np.max(result.gap) < 10 * rule_error + 1e-9
        errors.append(rule_error)
    assert all(finer < coarser / 4 for coarser, finer in zip(errors, errors[1:])), errors
    assert errors[-1] < 2e-6


def test_three_countries_and_the_closed_form_value():
    war = FishWar(alpha=0.5, discount=0.9, players=3, minimum_stock=LOWEST)
    result, rule_error, value_error = solve(war, 33)
    assert result.converged, result.message
    assert war.catch_rate == pytest.approx((1 - 0.45) / (3 - 2 * 0.45))
    assert rule_error < 1e-4 and value_error < 1e-3


def test_the_equilibrium_path_reaches_the_steady_state():
    war = FishWar(minimum_stock=LOWEST)
    result, _, _ = solve(war, 33)
    states, actions = result.path(war, [0.8], 60)
    assert states[-1, 0] == pytest.approx(war.steady_state(), rel=1e-4)
    assert np.allclose(actions[:, 0], actions[:, 1], rtol=1e-4)


def test_a_minimum_stock_that_would_bind_is_refused():
    with pytest.raises(ValueError):
        FishWar(minimum_stock=0.5)
