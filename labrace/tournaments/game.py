"""The tournament as a symmetric two-player game: replicator dynamics, symmetric Nash equilibria, regret.

``A[i, j]`` is the payoff of a lab playing strategy ``i`` against a rival playing ``j``. A tournament's
averaged payoff matrix is such a game, and these three views answer different questions: which mix of
policies a population of labs drifts to when the better-paid policies spread (replicator dynamics), which
mixes nobody can profit from leaving (Nash equilibria), and how exploitable each policy is (regret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.integrate import solve_ivp

Array = np.ndarray


@dataclass
class ReplicatorResult:
    """Outcome of integrating the replicator equation: the final mix and whether it settled.

    ``converged`` means the speed ``|dx/dt|`` fell below ``tol`` before ``t_max``; a cycling game (such as
    rock-paper-scissors started off its centre) does not converge and ``limit`` is then just the last state.
    """

    limit: Array
    converged: bool
    time: float
    speed: float
    t: Array = field(repr=False)
    path: Array = field(repr=False)


def _speed(A: Array, x: Array) -> Array:
    fitness = A @ x
    return x * (fitness - x @ fitness)


def replicator(A: Array, x0: Array | None = None, t_max: float = 1e4, tol: float = 1e-9) -> ReplicatorResult:
    """Integrate ``dx_i/dt = x_i ((A x)_i - x.A x)`` from ``x0`` (default: the uniform mix).

    Payoffs are first scaled by their spread (max - min) so that ``t_max`` and ``tol`` mean the same for
    games on any scale; that rescales time only and leaves the trajectory's path unchanged. Integration
    (RK45, rtol 1e-10) stops when the speed drops below ``tol``.
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    spread = float(A.max() - A.min())
    B = A / spread if spread > 0 else np.zeros_like(A)
    x = np.full(n, 1.0 / n) if x0 is None else np.asarray(x0, dtype=float) / np.sum(x0)

    def settled(_t: float, y: Array) -> float:
        return float(np.abs(_speed(B, y)).sum()) - tol

    settled.terminal = True  # type: ignore[attr-defined]
    if settled(0.0, x) <= 0:
        return ReplicatorResult(x, True, 0.0, settled(0.0, x) + tol, np.array([0.0]), x[None, :])
    sol = solve_ivp(lambda _t, y: _speed(B, y), (0.0, t_max), x, events=settled, rtol=1e-10, atol=1e-13,
                    dense_output=False, max_step=max(1.0, t_max / 1000))
    final = np.clip(sol.y[:, -1], 0.0, None)
    final /= final.sum()
    speed = float(np.abs(_speed(B, final)).sum())
    return ReplicatorResult(final, bool(sol.status == 1), float(sol.t[-1]), speed, sol.t, sol.y.T)


@dataclass(frozen=True)
class Equilibrium:
    """A symmetric Nash equilibrium: every lab plays ``mix``; ``payoff`` is each one's expected payoff."""

    mix: Array
    payoff: float

    @property
    def support(self) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(self.mix > 0))


def symmetric_nash(A: Array, tol: float = 1e-9) -> list[Equilibrium]:
    """Every symmetric Nash equilibrium of the game ``A``, by support enumeration.

    For each support ``S`` solve ``A[S, S] x = v 1`` with ``sum x = 1`` (the strategies used are
    indifferent), keep solutions with ``x > 0`` on ``S`` and ``(A x)_j <= v`` off ``S`` (no unused strategy
    does better). Exponential in the number of strategies, fine up to about 12. Degenerate games with a
    continuum of equilibria yield representative points of it rather than the whole set.
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[0]
    scale = max(1.0, float(np.abs(A).max()))
    found: list[Equilibrium] = []
    for size in range(1, n + 1):
        for support in combinations(range(n), size):
            s = list(support)
            system = np.zeros((size + 1, size + 1))
            system[:size, :size] = A[np.ix_(s, s)]
            system[:size, size] = -1.0
            system[size, :size] = 1.0
            rhs = np.zeros(size + 1)
            rhs[size] = 1.0
            solution, *_ = np.linalg.lstsq(system, rhs, rcond=None)
            if np.abs(system @ solution - rhs).max() > tol * scale * 10:
                continue
            weights = solution[:size]
            if np.any(weights <= tol):
                continue
            mix = np.zeros(n)
            mix[s] = weights / weights.sum()
            payoffs = A @ mix
            value = float(mix @ payoffs)
            if np.any(payoffs > value + tol * scale):
                continue
            if not any(np.allclose(mix, e.mix, atol=1e-7) for e in found):
                found.append(Equilibrium(mix, value))
    return found


def regret_against(A: Array, mix: Array) -> Array:
    """Per strategy ``i``: how much less ``i`` earns than the best response when rivals play ``mix``."""
    payoffs = np.asarray(A, dtype=float) @ np.asarray(mix, dtype=float)
    return payoffs.max() - payoffs


def pure_regret(A: Array) -> Array:
    """Per strategy ``j``: what the best entrant gains over ``j`` itself against a rival playing ``j``.

    ``max_i A[i, j] - A[j, j]``; zero exactly when everyone playing ``j`` is a symmetric pure equilibrium.
    """
    A = np.asarray(A, dtype=float)
    return A.max(axis=0) - np.diag(A)


def mix_regret(A: Array, mix: Array) -> float:
    """How much a best response gains over the population average when everyone plays ``mix``."""
    payoffs = np.asarray(A, dtype=float) @ np.asarray(mix, dtype=float)
    return float(payoffs.max() - mix @ payoffs)
