"""The stochastic planner: a lab that plans for labrace's shocks by solving its HJB equation.

Where the one-state reduction of :mod:`policies.stochastic.lab` applies (a power-law lab whose revenue no
rival can affect), the lab solves the Hamilton–Jacobi–Bellman equation of its expected NPV under the
scenario's published shocks (compute noise, breakthroughs; demand noise leaves the policy unchanged) once,
from its state at the first step to the horizon, and then plays the feedback policy ``alpha(t, y)``
looked up at the observed capability and compute: no re-planning is needed, because the policy already
says what to do in every state the shocks can lead to. Only a state outside the solved grid (a tail
beyond :data:`policies.stochastic.lab.TAIL_SIGMAS`) triggers a new solve from there.

Where the reduction does not apply (rivals that move this lab's revenue, a law whose rate is not a
power of compute in capability itself) the lab plans as the deterministic ``pontryagin`` planner does,
with this policy's grid and ``replan_every``; ``diagnostics()["deterministic_fallback"]`` names those labs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from labs.laws import LAWS
from labs.params import Param
from policies.base import Array, Observation, Policy
from policies.pontryagin import PontryaginPolicy
from policies.registry import register
from policies.stochastic.lab import LabPlan, reduction_applies, solve_lab


@register
class HJBPolicy(Policy):
    name = "hjb"
    description = ("Stochastic optimal control: the lab's HJB equation under the scenario's shocks, solved "
                   "once by implicit upwind finite differences and played as feedback on the observed state.")
    plans = True
    params = {
        "points": Param("points", 600, "HJB grid states (y = ln M - epsilon ln C)", kind="int", low=20,
                        high=5000),
        "grid": Param("grid", 100, "HJB time steps per year", kind="int", low=2, high=10000),
        "tol": Param("tol", 1e-10, "policy-iteration tolerance on alpha", low=0.0, low_open=True, high=1e-2),
        "replan_every": Param("replan_every", 5, "steps between re-plans where the lab falls back to the "
                              "deterministic planner", kind="int", low=1),
    }

    def reset(self) -> None:
        self.fallback = PontryaginPolicy(replan_every=self.p["replan_every"], grid=max(10, self.p["grid"]))
        self.fallback.reset()
        self.log = self.fallback.log  # one record of every solve, the fallback's included
        self.plans: dict[int, LabPlan] = {}
        self.by_problem: dict[tuple, LabPlan] = {}  # labs with the same numbers in the same state share a plan
        self.fell_back: dict[int, str] = {}

    def diagnostics(self) -> dict[str, Any]:
        return {**self.log.summary(), "deterministic_fallback": dict(self.fell_back)}

    def _plan(self, obs: Observation, lab: int) -> LabPlan:
        """Solve lab ``lab``'s HJB equation from its observed state to the horizon."""
        spec = obs.labs[lab]
        law = LAWS[spec.law]
        p = {k: float(v[0]) for k, v in obs.law_params(np.array([lab])).items()}
        plan = solve_lab(law, p, obs.market.omega, obs.market.gamma, spec.growth, spec.discount, obs.shocks,
                         float(obs.capability[lab]), float(obs.compute[lab]), obs.t, obs.horizon,
                         self.p["points"], self.p["grid"], self.p["tol"])
        solution = plan.solution
        settled = solution.unsettled_steps == 0
        message = ("converged" if settled else
                   f"policy iteration unsettled in {solution.unsettled_steps} step(s), alpha still moving by "
                   f"{solution.worst_change:.3g}")
        self.log.record(lab, obs.t, settled, solution.worst_change, f"hjb: {message}")
        return plan

    def decide(self, obs: Observation, labs: Array) -> Array:
        alpha = np.zeros(labs.size)
        if obs.t >= obs.horizon:
            return alpha
        market = obs.market
        separable = market.independent and (obs.n_labs == 1 or market.contest_exponent == market.gamma)
        midpoint = min(obs.t + 0.5 * obs.dt, obs.horizon)
        fallback = []
        for k, lab in enumerate(int(i) for i in labs):
            spec = obs.labs[lab]
            # Compute bought from profit is a second state, which the one-state reduction cannot hold.
            reason = ("compute is bought from profit (reinvest)" if spec.reinvests
                      else reduction_applies(LAWS[spec.law], separable))
            if reason:
                self.fell_back.setdefault(lab, reason)
                fallback.append(k)
                continue
            M, C = float(obs.capability[lab]), float(obs.compute[lab])
            plan = self.plans.get(lab)
            if plan is None or not plan.covers(M, C):
                key = (spec.law, spec.law_params, spec.growth, spec.discount, M, C, obs.t)
                if key not in self.by_problem:
                    self.by_problem[key] = self._plan(obs, lab)
                plan = self.plans[lab] = self.by_problem[key]
            alpha[k] = plan.training_share(midpoint, M, C)
        if fallback:
            alpha[fallback] = self.fallback.decide(obs, labs[fallback])
        return alpha
