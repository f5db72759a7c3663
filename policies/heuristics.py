"""Heuristic policies: simple rules a lab strategist might actually follow.

They make tournaments telling: each encodes a recognisable stance (steady split, train first then
harvest, chase the leader, grab revenue now, copy the leader) against which the optimisers are judged.
"""

from __future__ import annotations

import numpy as np

from labs.params import Param
from policies.base import Array, Observation, PlanLog, Policy
from policies.registry import register


@register
class ConstantPolicy(Policy):
    name = "constant"
    description = "Always train with the same share alpha."
    params = {"alpha": Param("alpha", 0.5, "training share", low=0.0, high=1.0)}

    def decide(self, obs: Observation, labs: Array) -> Array:
        return np.full(labs.size, self.p["alpha"])


@register
class TrainThenServePolicy(Policy):
    name = "train_then_serve"
    description = "Train flat out until a time or capability threshold, then mostly serve."
    params = {
        "switch_time": Param("switch_time", 5.0, "time (years) at which to stop training flat out", low=0.0),
        "capability_target": Param("capability_target", None,
                                   "capability at which to switch earlier (omit: time only)",
                                   low=0.0, low_open=True, optional=True),
        "after": Param("after", 0.1, "training share after the switch", low=0.0, high=1.0),
    }

    def decide(self, obs: Observation, labs: Array) -> Array:
        switched = np.full(labs.size, obs.t >= self.p["switch_time"])
        target = self.p["capability_target"]
        if target is not None:
            switched |= obs.capability[labs] >= target
        return np.where(switched, self.p["after"], 1.0)


@register
class CatchUpPolicy(Policy):
    name = "catch_up"
    description = "Train harder the further behind the most capable lab (log capability gap)."
    params = {
        "base": Param("base", 0.3, "training share when leading", low=0.0, high=1.0),
        "sensitivity": Param("sensitivity", 0.5, "extra share per unit of log(M_leader / M_own)", low=0.0),
        "ceiling": Param("ceiling", 1.0, "largest training share", low=0.0, high=1.0),
    }

    def decide(self, obs: Observation, labs: Array) -> Array:
        # The gap is at least 0 and so is every parameter: only the ceiling can bind (worked in place).
        alpha = np.log(np.max(obs.capability) / obs.capability[labs])
        alpha *= self.p["sensitivity"]
        alpha += self.p["base"]
        return np.minimum(alpha, max(self.p["ceiling"], self.p["base"]), out=alpha)


@register
class ImitateLeaderPolicy(Policy):
    name = "imitate_leader"
    description = "Copy last step's training share of the most capable rival (own share when alone)."
    params = {"initial": Param("initial", 0.5, "training share before anyone has moved", low=0.0, high=1.0)}

    def decide(self, obs: Observation, labs: Array) -> Array:
        if obs.step == 0:
            return np.full(labs.size, self.p["initial"])
        masked = np.tile(obs.capability, (labs.size, 1))
        masked[np.arange(labs.size), labs] = -np.inf
        if obs.n_labs == 1:
            return obs.alpha_last[labs]
        leader = np.argmax(masked, axis=1)
        return obs.alpha_last[leader]


@register
class MyopicPolicy(Policy):
    name = "myopic"
    description = "Maximise this step's revenue, assuming rivals repeat their last training share."
    params = {"initial_rival_alpha": Param("initial_rival_alpha", 0.5,
                                           "rivals' assumed share before they have moved", low=0.0, high=1.0)}

    def reset(self) -> None:
        self.log = PlanLog()

    def decide(self, obs: Observation, labs: Array) -> Array:
        from policies.forecast import one_step_revenue_argmax

        rival_alpha = obs.alpha_last if obs.step > 0 else np.full(obs.n_labs, self.p["initial_rival_alpha"])
        report: dict = {}
        alpha = one_step_revenue_argmax(obs, labs, rival_alpha, report)
        if not hasattr(self, "log"):
            self.reset()
        resolved = report.get("unresolved", 0) == 0
        for lab in labs:
            self.log.record(int(lab), obs.t, resolved, report.get("width", 0.0),
                            "" if resolved else "one-step argmax did not resolve its bracket")
        return alpha
