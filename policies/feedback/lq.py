"""Linear-quadratic games: the feedback equilibrium by coupled Riccati equations, and the open-loop one.

Player ``i`` of an :class:`LQGame` minimises ``sum_t beta^t (x_t' R_i x_t + u_it' Q_i u_it)`` subject to
``x_{t+1} = A x_t + sum_j B_j u_jt``. Linear-quadratic games are the one family where both equilibrium
concepts have exact finite-dimensional answers, which makes them the yardstick for the grid engine of
:mod:`policies.feedback.engine`:

* **Feedback (Markov-perfect).** Strategies are linear rules ``u_i = -F_i x``. Against fixed rules of the
  others, player ``i`` faces an ordinary discounted LQ problem with closed-loop dynamics
  ``A - sum_{j != i} B_j F_j``, solved by iterating its Riccati equation to convergence;
  :func:`solve_lq_feedback` alternates these exact best responses over players until the rules stop
  changing, so at the fixed point the coupled Riccati equations hold.
* **Open loop.** Every player commits to a control *path* from a given initial state and best-responds to
  the others' paths, which enter its problem as a known disturbance (an LQ tracking problem with an affine
  value function). :func:`solve_lq_open_loop` iterates these best responses over a long truncated horizon.

The two differ because a feedback player knows that moving the state moves its rivals' later controls,
while an open-loop player takes their paths as given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policies.base import Array


@dataclass(frozen=True)
class LQGame:
    """Dynamics ``A`` (n x n) and per-player ``B_i`` (n x k_i), state costs ``R_i`` and control costs ``Q_i``."""

    A: Array
    B: tuple[Array, ...]
    R: tuple[Array, ...]
    Q: tuple[Array, ...]
    beta: float

    @property
    def players(self) -> int:
        return len(self.B)

    def others(self, player: int, controls: tuple[Array, ...]) -> Array:
        """``sum_{j != player} B_j u_j`` for controls (k_j,) or paths (T, k_j), as (n,) or (T, n)."""
        total = np.zeros(np.shape(controls[0])[:-1] + (self.A.shape[0],))
        for j, (b, u) in enumerate(zip(self.B, controls)):
            if j != player:
                total = total + u @ b.T
        return total


@dataclass
class LQFeedbackResult:
    """Feedback rules ``u_i = -F[i] x``, value matrices ``P[i]`` (loss ``x' P_i x``), and convergence."""

    F: tuple[Array, ...]
    P: tuple[Array, ...]
    iterations: int
    changes: list[float]
    converged: bool
    method: str
    message: str = ""

    def closed_loop(self, game: LQGame) -> Array:
        """The state's transition matrix when every player follows its rule."""
        return game.A - sum(b @ f for b, f in zip(game.B, self.F))


@dataclass
class LQOpenLoopResult:
    """The open-loop equilibrium paths from one initial state: states (T + 1, n), each player's controls (T, k_i)."""

    states: Array
    controls: tuple[Array, ...]
    iterations: int
    changes: list[float]
    converged: bool
    method: str
    message: str = ""


def solve_lq_feedback(game: LQGame, tol: float = 1e-10, max_iter: int = 500) -> LQFeedbackResult:
    """The feedback equilibrium by Gauss-Seidel over exact LQ best responses (see the module docstring)."""
    n = game.A.shape[0]
    F = [np.zeros((b.shape[1], n)) for b in game.B]
    P = [np.zeros((n, n)) for _ in game.B]
    changes: list[float] = []
    converged = False
    for iteration in range(1, max_iter + 1):
        change = 0.0
        for i in range(game.players):
            facing = game.A - sum(game.B[j] @ F[j] for j in range(game.players) if j != i)
            P[i], new = _lq_best_response(facing, game.B[i], game.R[i], game.Q[i], game.beta, P[i], tol * 1e-2)
            change = max(change, float(np.max(np.abs(new - F[i]))))
            F[i] = new
        changes.append(change)
        if change < tol:
            converged = True
            break
    message = (f"converged in {iteration} iterations (largest change of F {changes[-1]:.1e})" if converged
               else f"stopped after {max_iter} iterations with a change of F of {changes[-1]:.1e}")
    return LQFeedbackResult(tuple(F), tuple(P), iteration, changes, converged,
                            "Gauss-Seidel over Riccati best responses", message)


def solve_lq_open_loop(game: LQGame, x0: Array, horizon: int, tol: float = 1e-10,
                       max_iter: int = 500) -> LQOpenLoopResult:
    """The open-loop equilibrium from ``x0`` over ``horizon`` periods (no terminal value).

    The truncation matters only near the end of the horizon: its effect decays backwards at the rate of
    the closed-loop dynamics, so the middle of a long horizon shows the infinite-horizon paths.
    """
    x0 = np.asarray(x0, dtype=float)
    controls = [np.zeros((horizon, b.shape[1])) for b in game.B]
    changes: list[float] = []
    converged = False
    for iteration in range(1, max_iter + 1):
        change = 0.0
        for i in range(game.players):
            new = _open_loop_best_response(game, i, x0, game.others(i, tuple(controls)))
            change = max(change, float(np.max(np.abs(new - controls[i]))))
            controls[i] = new
        changes.append(change)
        if change < tol:
            converged = True
            break
    states = _simulate(game.A, x0, sum(u @ b.T for b, u in zip(game.B, controls)))
    message = (f"converged in {iteration} iterations (largest change of a control {changes[-1]:.1e})"
               if converged else f"stopped after {max_iter} iterations with a change of {changes[-1]:.1e}")
    return LQOpenLoopResult(states, tuple(controls), iteration, changes, converged,
                            "Gauss-Seidel over open-loop best responses", message)


def _lq_best_response(A: Array, B: Array, R: Array, Q: Array, beta: float, P: Array,
                      tol: float, max_iter: int = 100_000) -> tuple[Array, Array]:
    """One player's discounted LQ problem: its loss matrix ``P`` and rule ``F``, by Riccati iteration from ``P``."""
    for _ in range(max_iter):
        H = Q + beta * B.T @ P @ B
        F = beta * np.linalg.solve(H, B.T @ P @ A)
        new = R + beta * A.T @ P @ A - beta * A.T @ P @ B @ F
        new = (new + new.T) / 2
        if np.max(np.abs(new - P)) < tol * max(1.0, np.max(np.abs(new))):
            P = new
            break
        P = new
    H = Q + beta * B.T @ P @ B
    return P, beta * np.linalg.solve(H, B.T @ P @ A)


def _open_loop_best_response(game: LQGame, player: int, x0: Array, disturbance: Array) -> Array:
    """Player ``player``'s optimal control path against the others' known contributions ``disturbance`` (T, n).

    Backward induction on the affine-quadratic loss ``x' P_t x + 2 s_t' x``: the optimal control is
    ``u_t = -K_t x_t - k_t`` with ``H = Q + beta B' P B``, ``K = beta H^-1 B' P A`` and
    ``k = beta H^-1 B' (P e_t + s)``, where ``(P, s)`` belong to period ``t + 1``.
    """
    A, B, R, Q, beta = game.A, game.B[player], game.R[player], game.Q[player], game.beta
    horizon, n = disturbance.shape
    P, s = np.zeros((n, n)), np.zeros(n)
    gains, offsets = [], []
    for e in disturbance[::-1]:
        H = Q + beta * B.T @ P @ B
        K = beta * np.linalg.solve(H, B.T @ P @ A)
        k = beta * np.linalg.solve(H, B.T @ (P @ e + s))
        closed = A - B @ K
        s = K.T @ Q @ k + beta * closed.T @ (P @ (e - B @ k) + s)
        P = R + beta * A.T @ P @ A - beta * A.T @ P @ B @ K
        P = (P + P.T) / 2
        gains.append(K)
        offsets.append(k)
    x, path = x0, np.empty((horizon, B.shape[1]))
    for t, (K, k) in enumerate(zip(gains[::-1], offsets[::-1])):
        path[t] = -K @ x - k
        x = A @ x + B @ path[t] + disturbance[t]
    return path


def _simulate(A: Array, x0: Array, inputs: Array) -> Array:
    states = np.empty((inputs.shape[0] + 1, x0.size))
    states[0] = x0
    for t, w in enumerate(inputs):
        states[t + 1] = A @ states[t] + w
    return states
