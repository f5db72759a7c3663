"""A linear-quadratic duopoly with adjustment costs: a verification problem with exact LQ answers.

Two firms face the inverse demand ``p = a0 - a1 (q1 + q2)`` and pay ``gamma (q_i' - q_i)^2`` to change
their output, discounting by ``beta``; firm ``i`` earns ``p q_i - gamma (q_i' - q_i)^2`` a period. The
state is both outputs, each firm's action its next output. This is the duopoly of QuantEcon's lecture on
Markov-perfect equilibrium (there solved with ``quantecon.nnash``), written here twice: as an
:class:`~policies.feedback.lq.LQGame` on ``x = (1, q1, q2)`` with controls ``u_i = q_i' - q_i`` and losses
``-profit``, and as a :class:`~policies.feedback.engine.MarkovGame` for the grid engine.

In an open-loop equilibrium the adjustment costs vanish in the steady state and each firm's output is the
static Cournot one, ``a0 / (3 a1)``. In the Markov-perfect equilibrium a firm that expands makes its rival
contract later (the rival's rule falls in the firm's output), so each firm expands past Cournot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.base import Array
from policies.feedback.lq import LQGame


@dataclass(frozen=True)
class AdjustmentCostDuopoly:
    a0: float = 10.0
    a1: float = 2.0
    discount: float = 0.96
    gamma: float = 12.0
    players: int = 2

    @property
    def cournot_output(self) -> float:
        """Each firm's output in the static Cournot equilibrium, the open-loop steady state."""
        return self.a0 / (3 * self.a1)

    def lq_game(self) -> LQGame:
        a0, a1 = self.a0, self.a1
        R1 = np.array([[0.0, -a0 / 2, 0.0], [-a0 / 2, a1, a1 / 2], [0.0, a1 / 2, 0.0]])
        R2 = np.array([[0.0, 0.0, -a0 / 2], [0.0, 0.0, a1 / 2], [-a0 / 2, a1 / 2, a1]])
        B1, B2 = np.array([[0.0], [1.0], [0.0]]), np.array([[0.0], [0.0], [1.0]])
        Q = np.array([[self.gamma]])
        return LQGame(np.eye(3), (B1, B2), (R1, R2), (Q, Q), self.discount)

    def reward(self, player: int, state: Array, actions: Array) -> Array:
        price = self.a0 - self.a1 * state.sum(axis=1)
        return price * state[:, player] - self.gamma * (actions[:, player] - state[:, player]) ** 2

    def transition(self, state: Array, actions: Array) -> Array:
        return actions.copy()

    def action_bounds(self, player: int, state: Array, actions: Array) -> tuple[Array, Array]:
        """Any output at which the price could stay non-negative."""
        return np.zeros(state.shape[0]), np.full(state.shape[0], self.a0 / self.a1)

    def initial_actions(self, state: Array) -> Array:
        """Keep output where it is."""
        return state.copy()


def linear_rules(grid_points: Array, next_outputs: Array) -> Array:
    """The rows ``F_i`` of ``q_i' - q_i = -F_i (1, q1, q2)`` fitted by least squares to a grid strategy.

    ``next_outputs`` is (N, G): each firm's next output at the (G, 2) ``grid_points``. An exact feedback
    equilibrium of the LQ game is linear, so the fit's residual measures how far the grid solution is from it.
    """
    design = np.column_stack([np.ones(grid_points.shape[0]), grid_points])
    moves = next_outputs - grid_points.T
    return -np.linalg.lstsq(design, moves.T, rcond=None)[0].T


def long_run_outputs(game: LQGame, F: tuple[Array, ...]) -> Array:
    """The outputs ``(q1, q2)`` that the linear rules ``u_i = -F_i (1, q1, q2)`` leave unchanged."""
    rows = np.vstack(F)
    return np.linalg.solve(rows[:, 1:], -rows[:, 0])
