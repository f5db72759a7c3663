"""Open-loop Nash equilibrium of the race, and the ``nash`` policy that plays it.

In an open-loop equilibrium every lab commits at the start to a whole training-share path ``alpha_i(t)``,
and each path is a best response to the *planned* paths of the others: lab ``i`` solves its own
optimal-control problem (:mod:`policies.optimal_control`) against the rivals' planned capability
``M_j(t)`` and serving capacity ``K_j(t) = (1 - alpha_j(t)) C_j(t)``, which enter its revenue only through
their aggregates (:class:`policies.revenue.RivalPath`).

:func:`solve_open_loop_nash` finds it by simultaneous best-response iteration, Anderson-accelerated:
all labs re-solve against the current plans, and the next plans extrapolate along the recent best
responses, until the largest change of any alpha falls below ``tol``. Interchangeable labs share one
plan and one best response. A fixed point of that map is an
equilibrium by construction; the solver still checks it the way a skeptic would, by re-solving every
lab against the final plans and reporting how much NPV each could gain (the best-response gap).

Open loop means commitment: the plans do not react to what rivals actually do. The ``nash`` policy
therefore computes the equilibrium from the observed state once (or every ``replan_every`` steps, which
turns it into a receding-horizon equilibrium) and follows its own lab's plan whatever the others play.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labs.params import Param
from labs.spec import PolicySpec
from market.config import RaceConfig
from policies.base import (Array, IterationHistory, Observation, PlanLog, Policy, game_state,
                           reused_cold_solve)
from policies.forecast import own_problem
from policies.optimal_control import (ControlResult, LabProblem, ProblemGrid, _anderson, planned_npv_path, planned_state,
                                     solve_pontryagin)
from policies.registry import register
from policies.revenue import RevenueAt, RivalPath


@dataclass
class NashResult(IterationHistory):
    """An open-loop equilibrium, in the spirit of :class:`ControlResult`.

    ``alpha``, ``capability`` and ``capacity`` are (labs x grid) arrays of the equilibrium plans;
    ``npv[i]`` is lab ``i``'s NPV when everyone follows them. ``gap[i]`` is what lab ``i`` would gain by
    re-solving its problem against the others' final plans (zero at an exact equilibrium; the solver's
    own tolerance otherwise), ``best_response_npv[i]`` the NPV of that re-solved plan. ``changes`` holds
    the largest change of alpha (best response minus current plan) at every iteration.
    """

    t: Array
    alpha: Array
    capability: Array
    capacity: Array
    npv: Array
    best_response_npv: Array
    gap: Array
    plans: list[ControlResult]
    iterations: int
    changes: list[float]
    converged: bool
    method: str
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def relative_gap(self) -> Array:
        """Best-response gap as a fraction of each lab's equilibrium NPV."""
        return self.gap / np.maximum(np.abs(self.npv), 1e-300)

    def alpha_at(self, lab: int, t: Array | float) -> Array:
        return np.interp(t, self.t, self.alpha[lab])

    def switch_times(self, threshold: float = 1e-6) -> Array:
        """Each lab's first grid time with alpha below ``1 - threshold`` (nan if it never leaves 1)."""
        return np.array([plan.switch_time(threshold) for plan in self.plans])


def _planned_revenue(problem: LabProblem, alpha: Array, t: Array) -> tuple[ProblemGrid, RevenueAt, Array]:
    """The problem on the uniform grid ``t``, its revenue along the state ``alpha`` leads to, and that state.

    Integrated exactly as the solver integrates it (:func:`~policies.optimal_control.planned_state`), so a
    plan's path here is the path its :class:`ControlResult` reports.
    """
    h = (t[-1] - t[0]) / (t.size - 1)
    grid = problem.on_grid(t)
    x = planned_state(grid, alpha, h)
    return grid, problem.revenue_at(grid.revenue, x), x


def planned_path(problem: LabProblem, alpha: Array, t: Array) -> tuple[Array, Array]:
    """Capability and serving capacity of a lab following ``alpha`` on the uniform grid ``t``."""
    _, at, _ = _planned_revenue(problem, alpha, t)
    return at.M, (1.0 - alpha) * at.compute


def plan_npv(problem: LabProblem, alpha: Array, t: Array) -> float:
    """NPV of following ``alpha`` (values on the uniform grid ``t``) in ``problem``."""
    grid, at, _ = _planned_revenue(problem, alpha, t)
    h = (t[-1] - t[0]) / (t.size - 1)
    return float(planned_npv_path(grid, alpha, grid.discount * at.revenue(alpha), h)[-1])


def rivals_of(lab: int, capability: Array, capacity: Array, t: Array, gamma: float,
              contest: float) -> RivalPath:
    """Aggregates of every lab except ``lab`` from (labs x grid) planned capability and capacity."""
    others = np.delete(np.arange(capability.shape[0]), lab)
    if others.size == 0:
        return RivalPath.none()
    return RivalPath.of_labs(t, capability[others], capacity[others], gamma, contest)


def symmetry_classes(obs: Observation) -> list[list[int]]:
    """Labs that are interchangeable in the game: the same published parameters (all but the name) and
    the same observed state. In a symmetric equilibrium they share one plan, so one best response per
    class is solved instead of one per lab."""
    keys: list[tuple] = []
    classes: list[list[int]] = []
    for lab, spec in enumerate(obs.labs):
        key = (dataclasses.replace(spec, name="", policy=PolicySpec("nash")), float(obs.capability[lab]),
               float(obs.compute[lab]), float(obs.trained[lab]))
        if key in keys:
            classes[keys.index(key)].append(lab)
        else:
            keys.append(key)
            classes.append([lab])
    return classes


def solve_open_loop_nash(obs: Observation, intervals: int = 2000, damping: float = 1.0, tol: float = 1e-6,
                         max_iter: int = 200, inner_tol: float = 1e-9, alpha0: Array | None = None,
                         memory: int = 3, symmetric: bool = True,
                         fixed: dict[int, Array] | None = None) -> NashResult:
    """Open-loop Nash equilibrium of all labs in ``obs`` from its time and state to the horizon.

    ``intervals`` is the number of grid steps; ``alpha0`` ((labs x grid) or one value per lab) starts
    the iteration (default: every lab's monopoly plan, which is already the equilibrium when the labs
    cannot affect each other). Converged means the largest change of alpha between a best response and
    the current plans fell below ``tol``; ``inner_tol`` is each best-response solve's own tolerance.

    The best-response map is iterated with Anderson acceleration over ``memory`` past iterates and step
    ``damping`` (1: undamped), which shrinks, and the history is forgotten, whenever the change grows.
    With ``symmetric`` interchangeable labs (:func:`symmetry_classes`) share one plan and one best
    response per iteration; the final check still re-solves every lab against the others' plans.
    Each best response is warm-started from that lab's previous one. ``fixed`` maps labs that are not
    optimisers to the alpha path they are known to play (on the grid, or one value): they keep it, and
    the others best-respond to it (a receding-horizon forecast's non-planning rivals).
    """
    if not 0.0 < damping <= 1.0:
        raise ValueError(f"damping must be in (0, 1], got {damping}")
    t = np.linspace(obs.t, obs.horizon, intervals + 1)
    n = obs.n_labs
    market = obs.market
    contest = market.contest_exponent
    alone = [own_problem(obs, lab, RivalPath.none()) for lab in range(n)]
    fixed = {lab: np.broadcast_to(np.asarray(a, dtype=float), t.shape) for lab, a in (fixed or {}).items()}
    classes = symmetry_classes(obs) if symmetric else [[lab] for lab in range(n)]
    classes = [c for c in ([lab for lab in members if lab not in fixed] for members in classes) if c]
    leaders = [members[0] for members in classes]

    def problem(lab: int, alpha: Array) -> LabProblem:
        M, K = zip(*(planned_path(alone[j], alpha[j], t) for j in range(n)))
        rivals = rivals_of(lab, np.array(M), np.array(K), t, market.gamma, contest)
        return own_problem(obs, lab, rivals)

    def spread(per_class: Array) -> Array:
        full = np.empty((n, t.size))
        for members, row in zip(classes, per_class):
            full[members] = row
        for lab, row in fixed.items():
            full[lab] = row
        return full

    if alpha0 is None:
        alpha = np.array([solve_pontryagin(alone[i], intervals, tol=inner_tol).alpha for i in leaders])
    else:
        start = np.broadcast_to(np.asarray(alpha0, dtype=float).reshape(n, -1), (n, t.size))
        alpha = np.array([start[members].mean(axis=0) for members in classes])
    changes: list[float] = []
    inner_failures = 0
    warm = list(alpha)
    theta, previous = damping, np.inf
    steps: list[Array] = []
    residuals: list[Array] = []
    for _ in range(max_iter):
        full = spread(alpha)
        responses = [solve_pontryagin(problem(i, full), intervals, alpha0=warm[k], tol=inner_tol)
                     for k, i in enumerate(leaders)]
        inner_failures += sum(not r.converged for r in responses)
        warm = [r.alpha for r in responses]
        target = np.array(warm)
        changes.append(float(np.max(np.abs(target - alpha))))
        if changes[-1] < tol:
            alpha = target
            break
        if changes[-1] > previous:
            theta = max(0.1, 0.5 * theta)
            steps.clear()
            residuals.clear()
        previous = changes[-1]
        steps.append(alpha.ravel())
        residuals.append((target - alpha).ravel())
        alpha = _anderson(steps, residuals, theta, memory).reshape(alpha.shape)
    converged = bool(changes) and changes[-1] < tol
    alpha = spread(alpha)
    # The check: every lab re-solves against the final plans of the others.
    final = [problem(i, alpha) for i in range(n)]
    npv = np.array([plan_npv(final[i], alpha[i], t) for i in range(n)])
    responses = [solve_pontryagin(final[i], intervals, alpha0=alpha[i], tol=inner_tol) for i in range(n)]
    best = np.array([r.npv for r in responses])
    M, K = (np.array(a) for a in zip(*(planned_path(alone[j], alpha[j], t) for j in range(n))))
    equilibrium_plans = [_plan_result(final[i], alpha[i], t, responses[i]) for i in range(n)]
    message = "converged" if converged else f"not converged after {len(changes)} iterations"
    if inner_failures:
        message += f"; {inner_failures} best-response solve(s) did not converge"
    return NashResult(
        t=t, alpha=alpha, capability=M, capacity=K, npv=npv, best_response_npv=best, gap=best - npv,
        plans=equilibrium_plans, iterations=len(changes), changes=changes, converged=converged,
        method=(f"Anderson-accelerated best-response iteration (step {damping}, memory {memory}) of "
                f"forward-backward sweeps over {len(classes)} symmetry class(es)"),
        message=message, extra={"classes": classes, "inner_failures": inner_failures})


def _plan_result(problem: LabProblem, alpha: Array, t: Array, response: ControlResult) -> ControlResult:
    """A lab's equilibrium plan as a :class:`ControlResult` (costate from its re-solved best response)."""
    M, _ = planned_path(problem, alpha, t)
    h = (t[-1] - t[0]) / (t.size - 1)
    grid = problem.on_grid(t)
    revenue = grid.revenue(M, alpha)
    x = planned_state(grid, alpha, h)
    npv_path = planned_npv_path(grid, alpha, grid.discount * revenue, h)
    return ControlResult(
        t=t, alpha=alpha, state=x, capability=M, costate=response.costate, revenue=revenue,
        npv_path=npv_path, npv=float(npv_path[-1]), iterations=response.iterations,
        change=float(np.max(np.abs(response.alpha - alpha))), converged=response.converged,
        method="open-loop Nash equilibrium plan", message=response.message)


def cold_equilibrium(obs: Observation, **settings: Any) -> NashResult:
    """:func:`solve_open_loop_nash` from the monopoly plans, solved once per distinct game state and
    settings in this process and then reused (see :func:`policies.base.reused_cold_solve`)."""
    key = ("nash", game_state(obs), tuple(sorted(settings.items())))
    return reused_cold_solve(key, lambda: solve_open_loop_nash(obs, **settings))


def nash_from_config(config: RaceConfig, grid: int = 200, **options: Any) -> NashResult:
    """The open-loop equilibrium of ``config``'s labs from their initial state (``grid`` steps per year)."""
    obs = Observation.at_start(config)
    intervals = max(16, int(np.ceil(config.horizon * grid)))
    return solve_open_loop_nash(obs, intervals=intervals, **options)


@register
class NashPolicy(Policy):
    name = "nash"
    description = ("Commit to this lab's open-loop Nash equilibrium plan (every lab best-responding to "
                   "the others' plans), computed at the start or every k steps.")
    plans = True
    params = {
        "replan_every": Param("replan_every", 0, "steps between re-computing the equilibrium (0: never)",
                              kind="int", low=0),
        "grid": Param("grid", 100, "solver grid intervals per year", kind="int", low=10, high=100000),
        "tol": Param("tol", 1e-6, "convergence tolerance on alpha between iterations", low=0.0,
                     low_open=True, high=1e-2),
        "damping": Param("damping", 1.0, "step towards the (Anderson-accelerated) best responses per "
                         "iteration; it shrinks by itself when the change grows", low=0.0, low_open=True,
                         high=1.0),
        "max_iter": Param("max_iter", 200, "largest number of best-response iterations", kind="int",
                          low=1, high=100000),
    }

    def reset(self) -> None:
        self.plans: dict[int, ControlResult] = {}
        self.equilibrium: NashResult | None = None
        self.solved_at: int | None = None
        self.log = PlanLog()

    def _due(self, step: int) -> bool:
        if self.equilibrium is None:
            return True
        every = self.p["replan_every"]
        return every > 0 and step - self.solved_at >= every

    def solve(self, obs: Observation) -> NashResult:
        """The equilibrium from the observed state, warm-started from the previous one.

        A cold solve (the first of a run) is a pure function of the observed state and the solver's
        settings, and in a tournament many runs start from the same state (every seed and every line-up
        of a scenario: the equilibrium assumes all labs play it, whoever actually sits there), so it is
        taken from :func:`cold_equilibrium`, which solves each distinct state once per process.
        """
        intervals = max(16, int(np.ceil((obs.horizon - obs.t) * self.p["grid"])))
        settings = {"intervals": intervals, "damping": self.p["damping"], "tol": self.p["tol"],
                    "max_iter": self.p["max_iter"]}
        if self.equilibrium is None:
            return cold_equilibrium(obs, **settings)
        t = np.linspace(obs.t, obs.horizon, intervals + 1)
        warm = np.array([self.equilibrium.alpha_at(i, t) for i in range(obs.n_labs)])
        return solve_open_loop_nash(obs, alpha0=warm, **settings)

    def decide(self, obs: Observation, labs: Array) -> Array:
        if obs.t >= obs.horizon:
            return np.zeros(labs.size)
        if self._due(obs.step):
            self.equilibrium = self.solve(obs)
            self.solved_at = obs.step
            eq = self.equilibrium
            for i in labs:  # the equilibrium converged, and so did the lab's check of its own plan
                plan = eq.plans[int(i)]
                ok = eq.converged and plan.converged
                self.log.record(int(i), obs.t, ok, max(eq.change, plan.change),
                                "" if ok else f"equilibrium: {eq.message}; own plan: {plan.message}")
            self.plans = {int(i): self.equilibrium.plans[int(i)] for i in labs}
        midpoint = min(obs.t + 0.5 * obs.dt, obs.horizon)
        return np.array([float(self.plans[int(i)].alpha_at(midpoint)) for i in labs])
