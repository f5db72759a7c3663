"""Markov-perfect equilibria of discrete-time N-player games by dynamic programming on a state grid.

In a Markov-perfect (feedback) equilibrium every player's action is a function of the current state only,
and each player's strategy is optimal against the others' strategies *from every state*, not just along
the equilibrium path: player ``i``'s value solves the Bellman equation

    V_i(x) = max_a  r_i(x, a, s_-i(x)) + beta V_i(f(x, a, s_-i(x)))

with the rivals' actions given by their strategies ``s_-i``, and ``s_i(x)`` is the maximiser. Unlike an
open-loop equilibrium, where rivals commit to paths, a player here knows that moving the state moves what
its rivals will do, and that strategic effect is what makes the two equilibria differ.

:func:`solve_markov_perfect` finds a stationary equilibrium on a :class:`~policies.feedback.grid.StateGrid`
by value iteration for the game. Each iteration holds the players' continuation values fixed and solves
the one-period game they define: best-response rounds over the players, in turn (Gauss-Seidel: later
players see the earlier ones' new actions) or all at once (Jacobi), each player's action maximised point
by point with :func:`~policies.feedback.maximise.maximise`, until the profile stops moving. It then
evaluates the new profile for ``evaluation_steps`` sweeps of the linear recursion ``V_i = r_i + beta W V_i``
(modified policy iteration: ``W`` is the sparse interpolation matrix at the next states, built once per
iteration), which does most of the work of value iteration without maximising. The iteration stops when
strategies and values change by less than ``tol``; then every player's Bellman equation holds on the grid.

A game is harder than a single decision problem on a grid. A player's value depends on its rival's
strategy to first order (no envelope theorem protects it), and through the value's slope on the rival's
strategy's slope, so a wiggle of one grid spacing in one strategy comes back larger in the other's; on
fine grids best-response iteration then drifts away from the smooth equilibrium. ``smoothing`` projects
the strategies after every iteration onto tensor polynomials of that degree
(:meth:`~policies.feedback.grid.StateGrid.smoother`), which removes those wiggles and keeps every rule of
that degree. The projected profile is then no longer an exact best response at every point, and the
skeptic's check says by how much: ``gap`` is the most any player could gain at a grid point by a one-period
deviation from the final strategies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from policies.base import Array, IterationHistory
from policies.feedback.grid import StateGrid
from policies.feedback.maximise import maximise

Schedule = Literal["gauss-seidel", "jacobi"]


class MarkovGame(Protocol):
    """A stationary game with deterministic transitions; every method works on batches of P states.

    ``state`` is (P, d) and ``actions`` is the (P, N) profile of every player's action; each player chooses
    one scalar. ``action_bounds`` may depend on the others' actions in the profile (a common stock cannot
    be overfished), but not on the player's own column.
    """

    players: int
    discount: float

    def reward(self, player: int, state: Array, actions: Array) -> Array: ...

    def transition(self, state: Array, actions: Array) -> Array: ...

    def action_bounds(self, player: int, state: Array, actions: Array) -> tuple[Array, Array]: ...

    def initial_actions(self, state: Array) -> Array: ...


@dataclass
class FeedbackResult(IterationHistory):
    """A Markov-perfect equilibrium on a grid, reported like labrace's other solvers.

    ``strategies[i]`` and ``values[i]`` hold player ``i``'s action and value at each grid point.
    ``changes`` is the fixed-point residual at every iteration: the larger of the largest change of any
    action and the largest change of any value relative to the values' size; ``strategy_changes`` and
    ``value_changes`` are its two parts. ``gap[i]`` is the most player ``i`` gained at any grid point by
    best-responding in the last iteration (zero at an exact equilibrium).
    """

    grid: StateGrid
    strategies: Array
    values: Array
    gap: Array
    iterations: int
    changes: list[float]
    strategy_changes: list[float]
    value_changes: list[float]
    converged: bool
    method: str
    message: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    def actions(self, state: Array) -> Array:
        """Every player's equilibrium action at ``state`` (P, d), interpolated from the grid: (P, N)."""
        return self.grid.interpolate(self.strategies, np.atleast_2d(state)).T

    def value(self, state: Array) -> Array:
        """Every player's equilibrium value at ``state`` (P, d): (P, N)."""
        return self.grid.interpolate(self.values, np.atleast_2d(state)).T

    def path(self, game: MarkovGame, state: Array, steps: int) -> tuple[Array, Array]:
        """States (steps + 1, d) and actions (steps, N) when everyone plays the equilibrium from ``state``."""
        states = [np.atleast_2d(np.asarray(state, dtype=float))]
        actions = []
        for _ in range(steps):
            actions.append(self.actions(states[-1]))
            states.append(game.transition(states[-1], actions[-1]))
        return np.concatenate(states), np.concatenate(actions)


def solve_markov_perfect(game: MarkovGame, grid: StateGrid, *, schedule: Schedule = "gauss-seidel",
                         evaluation_steps: int = 20, candidates: int = 15, xtol: float = 1e-10,
                         stage_rounds: int = 50, smoothing: int | None = None, tol: float = 1e-7,
                         max_iter: int = 1000) -> FeedbackResult:
    """A stationary Markov-perfect equilibrium of ``game`` on ``grid`` (see the module docstring)."""
    if schedule not in ("gauss-seidel", "jacobi"):
        raise ValueError(f"schedule must be 'gauss-seidel' or 'jacobi', not {schedule!r}")
    x = grid.points
    strategies = np.array(game.initial_actions(x), dtype=float).T
    values = _evaluate(game, grid, strategies, np.zeros((game.players, grid.size)), evaluation_steps)
    changes: list[float] = []
    strategy_changes: list[float] = []
    value_changes: list[float] = []
    gap = np.full(game.players, np.nan)
    projection = None if smoothing is None else grid.smoother(smoothing)
    converged = False
    for iteration in range(1, max_iter + 1):
        new_strategies, new_values = _stage_equilibrium(game, grid, strategies, values, schedule, stage_rounds,
                                                        tol, candidates, xtol, gap)
        if projection is not None:
            new_strategies = new_strategies @ projection.T
        new_values = _evaluate(game, grid, new_strategies, new_values, evaluation_steps)
        strategy_changes.append(float(np.max(np.abs(new_strategies - strategies))))
        value_changes.append(float(np.max(np.abs(new_values - values)) / max(1.0, np.max(np.abs(new_values)))))
        changes.append(max(strategy_changes[-1], value_changes[-1]))
        strategies, values = new_strategies, new_values
        if not np.isfinite(changes[-1]):
            break
        if changes[-1] < tol:
            converged = True
            break
    if converged:
        message = f"converged in {iteration} iterations (residual {changes[-1]:.2e})"
    elif np.isfinite(changes[-1]):
        message = f"stopped after {max_iter} iterations with residual {changes[-1]:.2e} above {tol:.1e}"
    else:
        message = f"diverged at iteration {iteration}: a strategy or value is not finite"
    return FeedbackResult(grid, strategies, values, gap, iteration, changes, strategy_changes, value_changes,
                          converged, f"value iteration ({schedule}, {evaluation_steps} evaluation steps)",
                          message)


def _stage_equilibrium(game: MarkovGame, grid: StateGrid, strategies: Array, values: Array, schedule: Schedule,
                       rounds: int, tol: float, candidates: int, xtol: float, gap: Array) -> tuple[Array, Array]:
    """The equilibrium of the one-period game with continuation ``values`` fixed, by best-response rounds.

    Solving the stage game before the values move is what keeps value iteration for a game stable: with
    a single round per update, transient asymmetries between the players' strategies feed into their
    values and back into the strategies. Starts from ``strategies``; fills ``gap`` with each player's
    gain from its best response in the last round.
    """
    x = grid.points
    profile, stage_values = strategies.copy(), values.copy()
    for round_ in range(rounds):
        previous = profile.copy()
        for i in range(game.players):
            others = (profile if schedule == "gauss-seidel" else previous).T
            objective = _BellmanObjective(game, grid, i, others, values[i])
            best = maximise(objective, *game.action_bounds(i, x, others), candidates=candidates, xtol=xtol)
            if round_ == 0:
                gap[i] = np.max(best.value - objective(previous[i][:, None])[:, 0])
            profile[i], stage_values[i] = best.argmax, best.value
        if np.max(np.abs(profile - previous)) < tol:
            break
    return profile, stage_values


@dataclass(frozen=True)
class _BellmanObjective:
    """Player ``player``'s right-hand side of the Bellman equation at every grid point, for trial actions."""

    game: MarkovGame
    grid: StateGrid
    player: int
    profile: Array
    value: Array

    def __call__(self, trial: Array) -> Array:
        points, m = trial.shape
        profile = np.repeat(self.profile, m, axis=0)
        profile[:, self.player] = trial.ravel()
        state = np.repeat(self.grid.points, m, axis=0)
        reward = self.game.reward(self.player, state, profile)
        future = self.grid.interpolate(self.value, self.game.transition(state, profile))
        return (reward + self.game.discount * future).reshape(points, m)


def _evaluate(game: MarkovGame, grid: StateGrid, strategies: Array, values: Array, steps: int) -> Array:
    """``steps`` sweeps of ``V_i = r_i + beta W V_i`` for the fixed profile ``strategies`` (N, G)."""
    profile = strategies.T
    rewards = np.stack([game.reward(i, grid.points, profile) for i in range(game.players)])
    weights = grid.matrix(game.transition(grid.points, profile))
    for _ in range(steps):
        values = rewards + game.discount * (weights @ values.T).T
    return values
