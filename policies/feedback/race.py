"""The Markov-perfect equilibrium of the lab race, by backward dynamic programming over time steps.

The race has a finite horizon, so its feedback equilibrium is not stationary: time is a state. The
horizon is cut into ``steps`` equal steps with each lab's training share held constant over a step
(the game's actions); the rest of the state is every lab's planning state ``x_i`` (capability for the
``power`` law, cumulative training for ``chinchilla``), while compute follows its exogenous path. Lab
``i``'s value is the present value at time 0 of its revenue from step ``k`` on, and its Bellman equation

    V_i(k, x) = max_{a_i}  r_i(k, x, a_i, s_-i(k, x)) + V_i(k + 1, x')

is solved at every point of a tensor grid over the labs' reachable states, against the rivals'
strategies ``s_-i(k, .)`` of the same step, starting from ``V_i(steps, .) = 0``. At each step the
one-step game (continuation values fixed) is solved by best-response rounds (Gauss-Seidel over the labs,
relaxed at the nodes where they cycle: :func:`best_response_rounds`) until the profile stops moving: that inner
fixed point is what makes each step's strategies an equilibrium rather than one lab's optimum.

Within a step everything is exact or fourth order: the planning state advances by the law's exact gain
at constant share (``CapabilityLaw.gain``), and the step's discounted revenue is integrated by Simpson's
rule on the start, middle and end of the step, with every lab's revenue from the market's own clearing
rule (the demand form's pool, split by relative capability), so any registered law and demand form
works through its contract. The errors left are the piecewise-constant shares (second order in the step)
and the interpolation of the continuation values between grid nodes (cubic Lagrange,
:class:`~policies.feedback.grid.StateGrid`); :func:`refinement_study` measures both.

The grid at step ``k`` covers, for lab ``i``, ``[x_i(0), x_i(0) + (1 + margin) G_i(t_k)]`` where ``G_i`` is
the gain of training flat out from the start: every state a lab can reach, with room above it for
breakthroughs, so the strategies are defined off the equilibrium path too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from labs.laws import LAWS, CapabilityLaw
from labs.laws.base import serving_factor
from market.clearing import capability_weights, split_shares
from market.params import MarketParams
from policies.base import Array, Observation
from policies.feedback.grid import StateGrid
from policies.feedback.maximise import maximise_smooth

STALL_ROUNDS = 3  # rounds over which a node's best-response residual must fall, else it is damped
MIN_WEIGHT = 1.0 / 64.0  # the smallest relaxation weight (a node's step towards its best response)


@dataclass(frozen=True)
class LawColumns:
    """The labs (columns of a state) that share one capability law, with their parameters as arrays."""

    law: CapabilityLaw
    columns: Array
    params: dict[str, Array]
    multiplier: Array


class RaceGame:
    """The race from an observed state to the horizon as a finite Markov game on ``steps`` steps.

    Every method works on batches: a state ``x`` is (P, N) (every lab's planning state at P points) and
    a profile ``alpha`` is (P, N).
    """

    def __init__(self, obs: Observation, steps: int) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, not {steps}")
        self.market: MarketParams = obs.market
        self.n = obs.n_labs
        self.t = np.linspace(obs.t, obs.horizon, steps + 1)
        self.h = float(self.t[1] - self.t[0])
        self.compute_now = obs.compute.astype(float)
        self.growth = np.array([spec.growth for spec in obs.labs])
        self.discount = np.array([spec.discount for spec in obs.labs])
        laws = np.array([spec.law for spec in obs.labs])
        self.groups: list[LawColumns] = []
        for name in dict.fromkeys(laws):
            columns = np.flatnonzero(laws == name)
            law, params = LAWS[name], obs.law_params(columns)
            M, F = obs.capability[columns], obs.trained[columns]
            self.groups.append(LawColumns(law, columns, params, law.multiplier(M, F, params)))
        self.x0, _ = self.observed(obs)
        ones = np.ones((1, self.n))
        gains = [self.gain(start, self.h, ones)[0] for start in self.t[:-1]]
        self.flat_out = np.cumsum([np.zeros(self.n), *gains], axis=0)
        """(steps + 1, N): every lab's planning-state gain from the start to ``t[k]`` training flat out."""

    def observed(self, obs: Observation) -> tuple[Array, Array]:
        """Every lab's planning state and breakthrough multiplier in ``obs`` (the laws' own definitions)."""
        x, multiplier = np.empty(self.n), np.empty(self.n)
        for g in self.groups:
            M, F = obs.capability[g.columns], obs.trained[g.columns]
            x[g.columns] = g.law.planning_state(M, F)
            multiplier[g.columns] = g.law.multiplier(M, F, g.params)
        return x, multiplier

    @property
    def multipliers(self) -> Array:
        out = np.empty(self.n)
        for g in self.groups:
            out[g.columns] = g.multiplier
        return out

    @property
    def steps(self) -> int:
        return self.t.size - 1

    def compute(self, t: float | Array) -> Array:
        """Every lab's compute at time ``t`` (or at times ``t`` (P, 1), one per row)."""
        return self.compute_now * np.exp(self.growth * (t - self.t[0]))

    def gain(self, start: float, duration: float, alpha: Array) -> Array:
        """Planning-state gain of every lab over ``[start, start + duration]`` at shares ``alpha``."""
        out = np.empty_like(alpha)
        C = self.compute(start)
        for g in self.groups:
            c = g.columns
            out[:, c] = g.law.gain(alpha[:, c], C[c], self.growth[c], duration, g.params)
        return out

    def capability(self, x: Array) -> Array:
        out = np.empty_like(x)
        for g in self.groups:
            out[:, g.columns] = g.law.capability(x[:, g.columns], g.params, g.multiplier)
        return out

    def serving(self, x: Array) -> Array:
        """Tokens per unit of serving compute of every lab at states ``x`` (its law's ``serving``, else 1)."""
        out = np.ones_like(x)
        for g in self.groups:
            out[:, g.columns] = serving_factor(g.law, x[:, g.columns], g.params)
        return out

    def flow(self, t: Array, x: Array, alpha: Array) -> Array:
        """Every lab's discounted revenue rate ``e^{-rho_i t} R_i`` at times ``t`` (P, 1) (the market's clearing);
        with compute priced, the profit rate (the bill ``p(t) C_i`` does not depend on the shares)."""
        M = self.capability(x)
        C = self.compute(t)
        K = (1.0 - alpha) * C * self.serving(x)
        value = np.sum(M ** self.market.gamma * K, axis=1)
        tokens = np.sum(K, axis=1)
        pool = self.market.pool(value, tokens, t[:, 0])
        shares = split_shares(capability_weights(M, K, self.market.contest_exponent))
        earned = shares * pool[:, None]
        if self.market.costs:
            earned = earned - self.market.unit_price(t) * C
        return np.exp(-self.discount * t) * earned

    def step(self, k: int, x: Array, alpha: Array, start: float | None = None) -> tuple[Array, Array]:
        """Every lab's discounted revenue from ``start`` (default: the step's beginning) to the end of step
        ``k`` (Simpson's rule on the start, middle and end, evaluated in one call) and the state then."""
        p = len(x)
        start = self.t[k] if start is None else start
        duration = self.t[k + 1] - start
        end = x + self.gain(start, duration, alpha)
        states = np.concatenate([x, x + self.gain(start, 0.5 * duration, alpha), end])
        times = np.repeat(start + duration * np.array([0.0, 0.5, 1.0]), p)[:, None]
        flows = self.flow(times, states, np.concatenate([alpha, alpha, alpha])).reshape(3, p, self.n)
        return duration / 6.0 * (flows[0] + 4.0 * flows[1] + flows[2]), end

    def domain(self, k: int, span: tuple[float, float]) -> tuple[Array, Array]:
        """Lower and upper edge of step ``k``'s grid for every lab: ``x0 + span * G(t_k)`` with ``G`` the
        flat-out gain (the upper edge at least that of step 1, so the first grid is not a point)."""
        low, high = span
        return self.x0 + low * self.flat_out[k], self.x0 + high * self.flat_out[max(k, 1)]


@dataclass
class RaceEquilibrium:
    """A Markov-perfect equilibrium of a :class:`RaceGame`, reported like labrace's other solvers.

    ``grids[k]`` is the state grid of step ``k`` (k = 0 .. steps), ``strategies[k]`` (N, G) every lab's
    share there and ``values[k]`` (N, G) its value (present value at time 0 of revenue from ``t[k]`` on).
    ``residuals[k]`` is the last best-response round's largest change of any share at step ``k`` (the
    stage game's fixed-point residual), ``rounds[k]`` how many rounds it took, ``gap[k]`` the most any lab
    gained at any grid point, relative to the largest value, by best-responding in that last round, and
    ``damped[k]`` at how many nodes the best responses cycled and were relaxed (:func:`_stage`).
    """

    game: RaceGame
    grids: list[StateGrid]
    strategies: list[Array]
    values: list[Array]
    residuals: Array
    rounds: Array
    gap: Array
    damped: Array
    converged: bool
    method: str
    message: str
    options: dict[str, float] = field(default_factory=dict)

    @property
    def iterations(self) -> int:
        """Best-response rounds over all steps."""
        return int(self.rounds.sum())

    @property
    def change(self) -> float:
        """The worst stage residual over the steps."""
        return float(self.residuals.max())

    @property
    def t(self) -> Array:
        return self.game.t

    def step_of(self, t: float) -> int:
        """The step whose interval holds ``t`` (the last step for the horizon itself). A time within
        rounding (1e-9 of a step) of a step's start belongs to that step, so the rest of a step is never
        an empty interval on which every share looks alike."""
        nudged = t + 1e-9 * self.game.h
        return int(np.clip(np.searchsorted(self.t, nudged, side="right") - 1, 0, self.game.steps - 1))

    def actions(self, k: int, x: Array) -> Array:
        """Every lab's equilibrium share at states ``x`` (P, N) in step ``k``: the stage game at those
        states against the continuation values, warm-started from the interpolated strategies (a state
        between grid nodes is played as well as a node)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        profile, *_ = _stage(self.game, k, x, self.grids[k + 1], self.values[k + 1], self.strategy(k, x),
                             self.options)
        return profile

    def strategy(self, k: int, x: Array) -> Array:
        """Every lab's share at states ``x`` (P, N) in step ``k`` read off the grid (cubic interpolation of
        the strategies, clipped to [0, 1])."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return np.clip(self.grids[k].interpolate(self.strategies[k], x).T, 0.0, 1.0)

    def best_response(self, t: float, x: Array, lab: int) -> Array:
        """Lab ``lab``'s share at states ``x`` (P, N) at time ``t``: its Bellman equation from ``t`` to the
        end of the step holding ``t``, solved there with its rivals at their strategies and the next
        step's values (what the ``feedback`` policy plays, at any time; one maximisation)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        k = self.step_of(t)
        objective = _Objective(self.game, k, x, self.grids[k + 1], self.values[k + 1], self.strategy(k, x), lab,
                               float(t))
        ones = np.ones(len(x))
        return maximise_smooth(objective, 0.0 * ones, ones, candidates=self.options["candidates"]).argmax

    def covers(self, t: float, x: Array) -> bool:
        """Whether the state ``x`` (N,) at time ``t`` lies within the grids of the step holding ``t``: above
        that step's lower edge and below the next step's upper edge (a breakthrough may carry a lab above
        it, a lab that trains far less than any equilibrium path below it)."""
        k = self.step_of(t)
        lower, upper = self.grids[k].lower, self.grids[k + 1].upper
        return bool(np.all(x >= lower - 1e-12 * np.abs(lower)) and np.all(x <= upper))

    def initial_values(self) -> Array:
        """Every lab's equilibrium NPV from the game's initial state (a grid node)."""
        return self.grids[0].interpolate(self.values[0], self.game.x0[None, :])[:, 0]

    def path(self, x0: Array | None = None) -> tuple[Array, Array, Array]:
        """States (steps + 1, N), shares (steps, N) and accumulated NPVs (steps + 1, N) when every lab
        plays its equilibrium strategy from ``x0`` (default: the game's initial state)."""
        x = np.atleast_2d(self.game.x0 if x0 is None else np.asarray(x0, dtype=float))
        states, shares, npv = [x], [], [np.zeros(self.game.n)]
        for k in range(self.game.steps):
            alpha = self.actions(k, states[-1])
            payoff, x_next = self.game.step(k, states[-1], alpha)
            shares.append(alpha[0])
            states.append(x_next)
            npv.append(npv[-1] + payoff[0])
        return np.concatenate(states), np.array(shares), np.array(npv)


def solve_race_equilibrium(game: RaceGame, nodes: int = 17, *, span: tuple[float, float] = (0.25, 1.25),
                           candidates: int = 11,
                           tol: float = 1e-5, max_rounds: int = 100) -> RaceEquilibrium:
    """The Markov-perfect equilibrium of ``game`` on grids of ``nodes`` nodes per lab (module docstring).

    ``candidates`` is the maximiser's first scan (:func:`~policies.feedback.maximise.maximise_smooth`), ``tol``
    the stage games' convergence tolerance on the shares and ``max_rounds`` their bound on rounds.
    """
    options = {"candidates": candidates, "tol": tol, "max_rounds": max_rounds}
    n, steps = game.n, game.steps
    grids = []
    for k in range(steps + 1):
        lower, upper = game.domain(k, span)
        grids.append(StateGrid(tuple(np.linspace(lo, hi, nodes) for lo, hi in zip(lower, upper))))
    values: list[Array] = [np.zeros((n, grids[-1].size))] * (steps + 1)
    strategies: list[Array] = [np.zeros((n, grids[-1].size))] * (steps + 1)
    residuals, rounds, gap = np.zeros(steps), np.zeros(steps, dtype=int), np.zeros(steps)
    damped = np.zeros(steps, dtype=int)
    start = np.full((grids[-1].size, n), 0.5)
    for k in range(steps - 1, -1, -1):
        points = grids[k].points
        if k < steps - 1:
            start = np.clip(grids[k + 1].interpolate(strategies[k + 1], points).T, 0.0, 1.0)
        else:
            start = np.full((grids[k].size, n), 0.5)
        profile, value, residuals[k], rounds[k], gains, damped[k] = _stage(game, k, points, grids[k + 1],
                                                                          values[k + 1], start, options)
        strategies[k], values[k] = profile.T, value.T
        gap[k] = gains / max(float(np.max(np.abs(value))), 1e-300)
    converged = bool(np.all(residuals < tol))
    worst = int(np.argmax(residuals))
    message = (f"every stage game converged (worst residual {residuals.max():.1e})" if converged else
               f"{int(np.sum(residuals >= tol))} stage game(s) stopped at the round limit, the worst at "
               f"t = {game.t[worst]:.4g} with residual {residuals[worst]:.1e} > {tol:.0e}")
    method = (f"backward induction over {steps} steps on {nodes}^{n} cubic grids; stage games by "
              f"Gauss-Seidel best-response rounds, relaxed where they cycle")
    return RaceEquilibrium(game, grids, strategies, values, residuals, rounds, gap, damped, converged, method,
                           message, options)


def _stage(game: RaceGame, k: int, points: Array, next_grid: StateGrid, next_values: Array, start: Array,
           options: dict) -> tuple[Array, Array, float, int, float, int]:
    """The equilibrium of step ``k``'s one-step game at ``points`` (P, N), continuation values fixed, by
    :func:`best_response_rounds`.

    Returns the profile (P, N), every lab's value (P, N), the last round's residual, the number of rounds,
    the largest gain any lab found in the last round over the profile it faced and how many nodes were
    damped.
    """
    ones = np.ones(len(points))

    def respond(i: int, profile: Array) -> tuple[Array, float]:
        objective = _Objective(game, k, points, next_grid, next_values, profile, i)
        best = maximise_smooth(objective, 0.0 * ones, ones, candidates=options["candidates"])
        return best.argmax, float(np.max(best.value - objective(profile[:, i:i + 1])[:, 0]))

    rounds = best_response_rounds(respond, start, options["tol"], options["max_rounds"])
    payoff, x_next = game.step(k, points, rounds.profile)
    continuation = np.stack([next_grid.interpolate(next_values[j], x_next) for j in range(game.n)], axis=1)
    return (rounds.profile, payoff + continuation, rounds.residual, rounds.rounds, rounds.gain,
            int(np.sum(rounds.weight < 1.0)))


@dataclass(frozen=True)
class BestResponseRounds:
    """The outcome of :func:`best_response_rounds`: the profile (P, N), the last round's undamped residual
    and largest gain, the rounds taken and every node's final relaxation weight (1 where never damped)."""

    profile: Array
    residual: float
    gain: float
    rounds: int
    weight: Array


def best_response_rounds(respond: Callable[[int, Array], tuple[Array, float]], start: Array, tol: float,
                         max_rounds: int) -> BestResponseRounds:
    """Gauss-Seidel best-response rounds over the players at P nodes at once, relaxed where they cycle.

    ``respond(i, profile)`` is player ``i``'s best share at every node against ``profile`` (P, N) and the
    most it gains there by playing it. Plain best responses, except at nodes where they stop contracting
    (the node's residual has not fallen below its value ``STALL_ROUNDS`` rounds earlier, as when the
    responses cycle): from then on those nodes alone move each player a fraction ``w`` of the way to its
    best response, ``w`` halving (down to ``MIN_WEIGHT``) whenever the residual stalls again; the other
    nodes' arithmetic is that of plain best responses, bit for bit. The residual is always the undamped
    one, the largest ``|BR_i - alpha_i|`` of the round (each player's best response against the profile it
    faces), so a converged profile is within ``tol`` of its best response at every node, damped or not;
    at the round limit it is that of the final profile (every player's best response against it).
    """
    profile = start.copy()
    p = len(profile)
    residual, gain, rounds = np.inf, 0.0, 0
    history: list[Array] = []
    weight, last_cut = np.ones(p), np.zeros(p, dtype=int)
    while rounds < max_rounds:
        rounds += 1
        gain = 0.0
        node_residual = np.zeros(p)
        damped = weight < 1.0
        for i in range(profile.shape[1]):
            best, gained = respond(i, profile)
            gain = max(gain, gained)
            step = best - profile[:, i]
            node_residual = np.maximum(node_residual, np.abs(step))
            if damped.any():
                profile[damped, i] += weight[damped] * step[damped]
                profile[~damped, i] = best[~damped]
            else:
                profile[:, i] = best
        residual = float(np.max(node_residual))
        if residual < tol:
            break
        history.append(node_residual)
        if len(history) > STALL_ROUNDS:
            stalled = ((node_residual >= tol) & (node_residual >= history[-1 - STALL_ROUNDS])
                       & (rounds - last_cut > STALL_ROUNDS))
            weight[stalled] = np.maximum(0.5 * weight[stalled], MIN_WEIGHT)
            last_cut[stalled] = rounds
    if residual >= tol:
        # At the round limit a relaxed node may sit at its fixed point while the last round, measured
        # against the profile before each move, still says otherwise: judge the final profile itself.
        checks = [respond(i, profile) for i in range(profile.shape[1])]
        residual = max(float(np.max(np.abs(best - profile[:, i]))) for i, (best, _) in enumerate(checks))
        gain = max(gained for _, gained in checks)
    return BestResponseRounds(profile, residual, gain, rounds, weight)


@dataclass(frozen=True)
class _Objective:
    """Lab ``player``'s right-hand side of its Bellman equation at ``points`` for trial shares (P, m), over
    step ``k`` or its rest from ``start``."""

    game: RaceGame
    k: int
    points: Array
    next_grid: StateGrid
    next_values: Array
    profile: Array
    player: int
    start: float | None = None

    def __call__(self, trial: Array) -> Array:
        p, m = trial.shape
        profile = np.repeat(self.profile, m, axis=0)
        profile[:, self.player] = trial.ravel()
        state = np.repeat(self.points, m, axis=0)
        payoff, x_next = self.game.step(self.k, state, profile, self.start)
        future = self.next_grid.interpolate(self.next_values[self.player], x_next)
        return (payoff[:, self.player] + future).reshape(p, m)
