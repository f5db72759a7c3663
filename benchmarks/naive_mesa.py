"""A naive Mesa model of the same equations: the design labrace's model avoids.

Each lab is an agent holding Python floats; every phase of the step is one method call per lab through
``AgentSet.do``, market totals are summed in Python, and a Mesa ``DataCollector`` with agent reporters
records every lab every step. Same configuration and equations as :mod:`benchmarks.numpy_loop`, so it
must produce the same numbers; it is here to measure what the array design buys.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from market.config import RaceConfig
from policies.erdil import PRESETS, parity_share


class NaiveLab(mesa.Agent):
    """One lab with scalar state and one method per phase of the step."""

    def __init__(self, model: "NaiveModel", spec) -> None:
        super().__init__(model)
        law, p = spec.law_kwargs, spec.policy.kwargs
        self.policy = spec.policy.name
        self.params = p
        if self.policy == "erdil":
            self.params = {"alpha": parity_share(p["a"], p["b"]) if p["preset"] == "custom"
                           else parity_share(PRESETS[p["preset"]][1], PRESETS[p["preset"]][0])}
        self.beta, self.eps = law["beta_T"], law["epsilon"]
        self.capability = float(law["capability0"])
        self.compute = spec.compute0
        self.growth, self.discount = spec.growth, spec.discount
        self.alpha = self.capacity = self.revenue = self.share = self.npv = 0.0

    def decide(self) -> None:
        if self.policy == "catch_up":
            p = self.params
            gap = math.log(self.model.leader / self.capability)
            self.alpha = min(max(p["base"] + p["sensitivity"] * gap, 0.0), max(p["ceiling"], p["base"]))
        else:
            self.alpha = self.params["alpha"]
        self.capacity = (1.0 - self.alpha) * self.compute

    def earn(self) -> None:
        model = self.model
        weight = (self.capability / model.leader) ** model.contest * self.capacity
        self.share = weight / model.total_weight if model.total_weight > 0 else 0.0
        self.revenue = self.share * model.pool if model.tokens > 0 else 0.0
        rho, dt = self.discount, model.dt
        self.npv += self.revenue * math.exp(-rho * model.t) * -math.expm1(-rho * dt) / rho

    def train(self) -> None:
        dt, eps, g = self.model.dt, self.eps, self.growth
        self.capability += self.beta * (self.alpha * self.compute) ** eps * math.expm1(eps * g * dt) / (eps * g)
        self.compute *= math.exp(g * dt)


class NaiveModel(mesa.Model):
    """Steps through the phases agent by agent; records with agent reporters."""

    def __init__(self, config: RaceConfig) -> None:
        super().__init__(rng=config.seed)
        self.config, self.dt, self.t = config, config.dt, 0.0
        market = config.market
        self.omega, self.gamma, self.contest = market.omega, market.gamma, market.contest_exponent
        self.delta0, self.demand_growth = market.demand_kwargs["delta0"], market.demand_growth
        self.leader = self.pool = self.tokens = self.total_weight = 0.0
        for spec in config.labs:
            NaiveLab(self, spec)
        self.datacollector = mesa.DataCollector(
            model_reporters={"pool": "pool", "tokens": "tokens"},
            agent_reporters={name: name for name in
                             ("alpha", "capability", "compute", "capacity", "revenue", "share", "npv")})

    def step(self) -> None:
        labs = self.agents
        self.leader = max(lab.capability for lab in labs)
        labs.do("decide")
        self.tokens = sum(lab.capacity for lab in labs)
        value = sum(lab.capability ** self.gamma * lab.capacity for lab in labs)
        delta = self.delta0 * math.exp(-self.demand_growth * self.t)
        self.pool = max(0.0, self.omega * value - delta * self.tokens ** 2)
        self.total_weight = sum((lab.capability / self.leader) ** self.contest * lab.capacity for lab in labs)
        labs.do("earn")
        self.datacollector.collect(self)
        labs.do("train")
        self.t = self.steps * self.dt

    def run(self) -> "NaiveModel":
        for _ in range(self.config.steps):
            self.step()
        return self

    def records(self, name: str) -> np.ndarray:
        """Recorded variable ``name`` as an array of shape (steps, labs), labs in creation order."""
        frame = self.datacollector.get_agent_vars_dataframe()[name].unstack("AgentID")
        return frame.to_numpy()
