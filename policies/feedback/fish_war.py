"""The Levhari-Mirman "great fish war" (1980): a verification problem with a closed-form equilibrium.

``n`` countries fish a common stock ``x``; each catches ``c_i`` for utility ``log c_i``, discounting by
``beta``, and the escapement regrows as ``x' = (x - sum_i c_i)^alpha`` with ``0 < alpha < 1``. Guessing
``V_i(x) = A log x + B`` in the Bellman equation gives ``A = 1 / (1 - alpha beta)`` and the symmetric
Markov-perfect rule

    c_i = (1 - alpha beta) / (n - (n - 1) alpha beta) * x,

``(1 - alpha beta) / (2 - alpha beta) * x`` for two countries. Each country fishes more than a sole owner
would (``(1 - alpha beta) x / n`` apiece): the tragedy of the commons in closed form. The game's log
utility and power-law growth make the value function unbounded at zero and steep near it, which is a
fair test of the grid engine's interpolation and maximisation.

A grid can only hold the values of stocks it covers, so :class:`FishWar` takes a ``minimum_stock``: no
catch may leave next year's stock below it (a grid's lowest node). Below the steady state the equilibrium
stock grows, so the constraint never binds in equilibrium and the closed form stays exact; it only rules
out the deviations that would fish the stock off the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.base import Array

TINY = np.finfo(float).tiny


@dataclass(frozen=True)
class FishWar:
    """The game as a :class:`~policies.feedback.engine.MarkovGame` on the one-dimensional state ``x``."""

    alpha: float = 0.7
    discount: float = 0.95
    players: int = 2
    minimum_stock: float = 0.0

    def __post_init__(self) -> None:
        if not (0 < self.alpha < 1 and 0 < self.discount < 1 and self.players >= 1):
            raise ValueError("the fish war needs 0 < alpha < 1, 0 < discount < 1 and at least one country")
        if not 0 <= self.minimum_stock < self.steady_state():
            raise ValueError("the minimum stock must lie below the steady state, or it binds in equilibrium")

    @property
    def catch_rate(self) -> float:
        """The closed-form equilibrium catch of each country per unit of stock."""
        ab = self.alpha * self.discount
        return (1 - ab) / (self.players - (self.players - 1) * ab)

    def closed_form_value(self, x: Array) -> Array:
        """Each country's equilibrium value ``A log x + B`` at stock ``x``."""
        ab, k = self.alpha * self.discount, self.catch_rate
        slope = 1 / (1 - ab)
        constant = (np.log(k) + self.discount * slope * self.alpha * np.log(1 - self.players * k)) / (1 - self.discount)
        return slope * np.log(x) + constant

    def steady_state(self) -> float:
        """The stock that the equilibrium rule keeps constant: ``x = ((1 - n k) x)^alpha``."""
        return float((1 - self.players * self.catch_rate) ** (self.alpha / (1 - self.alpha)))

    def reward(self, player: int, state: Array, actions: Array) -> Array:
        return np.log(np.maximum(actions[:, player], TINY))

    def transition(self, state: Array, actions: Array) -> Array:
        escapement = np.maximum(state[:, 0] - actions.sum(axis=1), 0.0)
        return (escapement ** self.alpha)[:, None]

    def action_bounds(self, player: int, state: Array, actions: Array) -> tuple[Array, Array]:
        """Any catch that leaves enough escapement for next year's stock to reach ``minimum_stock``."""
        others = actions.sum(axis=1) - actions[:, player]
        escapement = self.minimum_stock ** (1 / self.alpha)
        return np.full(state.shape[0], TINY), np.maximum(state[:, 0] - others - escapement, 2 * TINY)

    def initial_actions(self, state: Array) -> Array:
        """A cautious start: every country takes a small share of the stock."""
        return np.repeat(state[:, :1] / (4 * self.players), self.players, axis=1)
