"""The adjustment-cost duopoly solved three ways (grid engine, own Riccati iteration, quantecon.nnash),
and its open-loop equilibrium, which must differ from the Markov-perfect one."""

from __future__ import annotations

import numpy as np
import pytest

from policies.feedback.duopoly import AdjustmentCostDuopoly, linear_rules, long_run_outputs
from policies.feedback.engine import solve_markov_perfect
from policies.feedback.grid import StateGrid
from policies.feedback.lq import solve_lq_feedback, solve_lq_open_loop

quantecon = pytest.importorskip("quantecon")

DUOPOLY = AdjustmentCostDuopoly(a0=10.0, a1=2.0, discount=0.96, gamma=12.0)
RICCATI_TOL = 1e-6  # nnash stops at its own tolerance of 1e-8 on F
GRID_TOL = 1e-6  # the grid engine's action accuracy is about sqrt(machine epsilon) times the profit scale


@pytest.fixture(scope="module")
def nnash():
    game = DUOPOLY.lq_game()
    zero, zeros = np.zeros((1, 1)), np.zeros((3, 1))
    F1, F2, _, _ = quantecon.nnash(game.A, game.B[0], game.B[1], game.R[0], game.R[1], game.Q[0], game.Q[1],
                                   zero, zero, zeros, zeros, zero, zero, beta=game.beta)
    return F1, F2


@pytest.fixture(scope="module")
def riccati():
    return solve_lq_feedback(DUOPOLY.lq_game())


def test_own_riccati_iteration_agrees_with_nnash(nnash, riccati):
    assert riccati.converged, riccati.message
    for own, theirs in zip(riccati.F, nnash):
        assert np.max(np.abs(own - theirs)) < RICCATI_TOL
    assert riccati.F[0][0] == pytest.approx([-0.668466, 0.295125, 0.075847], abs=1e-6)
    assert np.max(np.abs(np.linalg.eigvals(riccati.closed_loop(DUOPOLY.lq_game())[1:, 1:]))) < 1


def test_the_grid_engine_agrees_with_nnash(nnash):
    grid = StateGrid((np.linspace(0.0, 4.0, 6),) * 2)
    result = solve_markov_perfect(DUOPOLY, grid)
    assert result.converged, result.message
    F = linear_rules(grid.points, result.strategies)
    for own, theirs in zip(F, nnash):
        assert np.max(np.abs(own - theirs)) < GRID_TOL
    design = np.column_stack([np.ones(grid.size), grid.points])
    exact = np.stack([grid.points[:, i] - design @ nnash[i][0] for i in range(2)])
    assert np.max(np.abs(result.strategies - exact)) < GRID_TOL
    states, _ = result.path(DUOPOLY, [1.0, 1.0], 200)
    game = DUOPOLY.lq_game()
    assert states[-1].sum() == pytest.approx(long_run_outputs(game, nnash).sum(), abs=1e-5)


def test_long_run_output_of_the_three_methods(nnash, riccati):
    game = DUOPOLY.lq_game()
    total = long_run_outputs(game, nnash).sum()
    assert long_run_outputs(game, riccati.F).sum() == pytest.approx(total, abs=1e-6)
    assert total == pytest.approx(3.603868, abs=1e-5)


def test_open_loop_best_responses_end_at_cournot_not_at_the_markov_perfect_output(nnash):
    game = DUOPOLY.lq_game()
    open_loop = solve_lq_open_loop(game, [1.0, 1.0, 1.0], horizon=400)
    assert open_loop.converged, open_loop.message
    long_run = open_loop.states[200, 1:]
    assert long_run == pytest.approx([DUOPOLY.cournot_output] * 2, abs=1e-8)
    assert long_run_outputs(game, nnash).sum() - long_run.sum() > 0.2
