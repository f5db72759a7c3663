"""The Pontryagin-optimal policy: plan to the horizon against a forecast of the rivals, re-plan often.

Each lab solves its own optimal-control problem (:mod:`policies.optimal_control`) from the current state
to the horizon, with the rivals replaced by a forecast (:mod:`policies.forecast`), and follows the plan
until the next re-plan ``replan_every`` steps later (receding horizon). Re-plans are warm-started from the
previous plan, which is what keeps them cheap. Alone in a market with ``delta0 = 0`` the policy is exactly
the single-lab optimum of the seed paper.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from labs.params import Param
from policies.base import Array, Observation, PlanLog, Policy, game_state, reused_cold_solve
from policies.forecast import FORECASTS, own_problem, rival_paths
from policies.nash import NashResult
from policies.optimal_control import ControlResult, solve_pontryagin
from policies.rational import receding_nash
from policies.registry import register


@register
class PontryaginPolicy(Policy):
    name = "pontryagin"
    description = "Optimal control to the horizon against a rival forecast, re-planned every k steps."
    plans = True
    params = {
        "replan_every": Param("replan_every", 5, "steps between re-plans (k)", kind="int", low=1),
        "forecast": Param("forecast", "constant_alpha", "how rivals are forecast", kind="choice",
                          choices=FORECASTS),
        "grid": Param("grid", 200, "solver grid intervals per year", kind="int", low=10, high=100000),
        # Below the grid's own error in alpha (about 1e-7 at the median at 200 intervals a year); a tighter
        # tolerance buys sweeps, not accuracy (docs/benchmarks.md, the realistic study).
        "tol": Param("tol", 1e-8, "convergence tolerance on alpha", low=0.0, low_open=True, high=1e-2),
        "initial_rival_alpha": Param("initial_rival_alpha", 0.5,
                                     "rivals' assumed share before they have moved", low=0.0, high=1.0),
    }

    def reset(self) -> None:
        self.plans: dict[int, ControlResult] = {}
        self.planned_at: dict[int, int] = {}
        self.equilibrium: NashResult | None = None  # the nash forecast's latest equilibrium
        self.equilibrium_step = -1
        self.log = PlanLog()

    def _due(self, lab: int, step: int) -> bool:
        if lab not in self.plans:
            return True
        since = step - self.planned_at[lab]
        # Re-plan at the first step with observed rival moves, then every k steps.
        return since >= self.p["replan_every"] or (self.planned_at[lab] == 0 and step == 1)

    def plan(self, obs: Observation, lab: int) -> ControlResult:
        """Solve lab ``lab``'s problem from the observed state (warm-started from its last plan)."""
        span = obs.horizon - obs.t
        intervals = max(16, int(np.ceil(span * self.p["grid"])))
        t = np.linspace(obs.t, obs.horizon, intervals + 1)
        everyone = np.arange(obs.n_labs)
        rivals = everyone[everyone != lab]
        rival_alpha = obs.alpha_last if obs.step > 0 else np.full(obs.n_labs, self.p["initial_rival_alpha"])
        if self.p["forecast"] == "nash":
            return self._equilibrium_plan(obs, lab, rival_alpha, intervals)
        path = rival_paths(obs, rivals, rival_alpha, t, self.p["forecast"])
        problem = own_problem(obs, lab, path)
        previous = self.plans.get(lab)
        if previous is None:  # a cold solve is the same for every seed and line-up: solve it once
            key = ("pontryagin", game_state(obs), obs.step, lab, tuple(sorted(self.p.items())))
            return reused_cold_solve(key, lambda: solve_pontryagin(problem, intervals, tol=self.p["tol"]))
        return solve_pontryagin(problem, intervals, alpha0=previous.alpha_at(t), tol=self.p["tol"])

    def _equilibrium_plan(self, obs: Observation, lab: int, rival_alpha: Array, intervals: int) -> ControlResult:
        """Lab ``lab``'s part of the remaining game's equilibrium: one solve per step serves all of this
        policy's labs that re-plan then, warm-started from the previous one."""
        if self.equilibrium_step != obs.step:
            self.equilibrium = receding_nash(obs, rival_alpha, intervals, self.p["tol"], self.equilibrium)
            self.equilibrium_step = obs.step
        eq = self.equilibrium
        plan = eq.plans[lab]
        if eq.converged:
            return plan
        return dataclasses.replace(plan, converged=False, change=max(plan.change, eq.change),
                                   message=f"equilibrium: {eq.message}; own plan: {plan.message}")

    def decide(self, obs: Observation, labs: Array) -> Array:
        alpha = np.empty(labs.size)
        midpoint = min(obs.t + 0.5 * obs.dt, obs.horizon)
        for k, lab in enumerate(int(i) for i in labs):
            if obs.t >= obs.horizon:
                alpha[k] = 0.0
                continue
            if self._due(lab, obs.step):
                plan = self.plan(obs, lab)
                # A plan that did not converge is still the best control found (after the solver's
                # rescues); it is played, and the run's diagnostics say so with the lab and time.
                self.log.record(lab, obs.t, plan.converged, plan.change, plan.message)
                self.plans[lab] = plan
                self.planned_at[lab] = obs.step
            alpha[k] = float(self.plans[lab].alpha_at(midpoint))
        return alpha
