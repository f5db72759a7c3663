"""The Mesa model that holds the labs and runs the step of model.md §3.

One step: every policy observes the public state and returns alpha for its labs (simultaneously); the
market clears on capabilities and serving capacities at the step's start; revenue is booked with the
exact discount factor of a constant rate; labs train (exactly, per law) and compute grows; optional shocks
are drawn from the model's seeded generator. All of it runs on arrays across labs.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from labs.agent import Lab
from labs.state import LabState
from market.clearing import Clearing, clear
from market.config import RaceConfig
from labrace.simulation.recorder import Recorder
from policies.base import Observation, Policy
from policies.registry import make_policy


class MarketCollector(mesa.DataCollector):
    """Mesa's DataCollector for the market variables, minus its defensive copy of every value.

    Every reporter here returns a Python float, which is immutable, so Mesa's per-value ``deepcopy`` (and
    its per-reporter type dispatch) only cost time: about a fifth of a two-lab step.
    """

    def collect(self, model: mesa.Model) -> None:
        self._collection_steps.append(model.time)
        for var, reporter in self.model_reporters.items():
            self.model_vars[var].append(reporter(model))


class RaceModel(mesa.Model):
    """Labs competing for revenue while splitting compute between training and serving.

    ``time`` counts Mesa steps; ``t`` is the simulated time in years (``steps * dt``).
    """

    def __init__(self, config: RaceConfig) -> None:
        super().__init__(rng=config.seed)
        self.config = config
        self.market_params = config.market
        self.dt = config.dt
        self.t = 0.0
        self.state = LabState(config.labs)
        self.price = float("nan")
        self.last_clearing: Clearing | None = None
        self.policy_groups = self._group_policies()
        for index, spec in enumerate(config.labs):
            Lab(self, index, spec)
        self.recorder = Recorder(config.steps, self.state.names, [s.policy.label() for s in config.labs])
        self.datacollector = MarketCollector(model_reporters={
            "t": lambda m: m.t,
            "price": lambda m: m.recorder.latest("price"),
            "tokens": lambda m: m.recorder.latest("tokens"),
            "revenue_pool": lambda m: m.recorder.latest("revenue_pool"),
        })
        self.running = True

    def _group_policies(self) -> list[tuple[Policy, np.ndarray]]:
        """One policy object per distinct policy spec, with the labs it decides for."""
        groups: dict = {}
        for index, spec in enumerate(self.config.labs):
            groups.setdefault(spec.policy, []).append(index)
        out = []
        for spec, labs in groups.items():
            policy = make_policy(spec)
            policy.reset()
            out.append((policy, np.array(labs, dtype=int)))
        return out

    @property
    def labs(self) -> list[Lab]:
        """Lab agents in row order."""
        return sorted(self.agents, key=lambda lab: lab.index)

    def observe(self) -> Observation:
        s = self.state
        return Observation(
            t=self.t, dt=self.dt, horizon=self.config.horizon, step=self.steps - 1,
            capability=s.capability.copy(), compute=s.compute.copy(), trained=s.trained.copy(),
            alpha_last=s.alpha.copy(), growth_observed=s.growth_observed.copy(),
            capability_growth=s.capability_growth.copy(), price_last=self.price,
            market=self.market_params, labs=self.config.labs, rng=self.rng)

    def decide(self, obs: Observation) -> np.ndarray:
        alpha = np.empty(self.state.n)
        for policy, labs in self.policy_groups:
            alpha[labs] = policy.decide(obs, labs)
        if not np.isfinite(alpha).all():
            bad = [self.state.names[i] for i in np.flatnonzero(~np.isfinite(alpha))]
            raise FloatingPointError(f"policy returned a non-finite alpha for labs {bad}")
        return np.minimum(np.maximum(alpha, 0.0), 1.0)  # np.clip's dispatch costs twice as much

    def step(self) -> None:
        s = self.state
        shocks = self.config.shocks
        s.alpha = self.decide(self.observe())
        omega = None
        if shocks.demand_noise > 0:
            sigma = shocks.demand_noise
            omega = self.market_params.omega * np.exp(sigma * self.rng.standard_normal() - 0.5 * sigma ** 2)
        capacity = s.capacity
        result = clear(s.capability, capacity, self.t, self.market_params, omega)
        s.book_revenue(result.revenue, result.shares, self.t, self.dt)
        self.price = result.price
        self.last_clearing = result
        self.recorder.record(self.t, {
            "alpha": s.alpha, "capability": s.capability, "compute": s.compute, "capacity": capacity,
            "revenue": result.revenue, "share": result.shares, "npv": s.npv, "trained": s.trained,
        }, {"price": result.price, "tokens": result.tokens, "revenue_pool": result.pool,
            "quality": result.quality})
        compute_shock = None
        if shocks.compute_noise > 0:
            sigma = shocks.compute_noise
            z = self.rng.standard_normal(s.n)
            compute_shock = np.exp(sigma * np.sqrt(self.dt) * z - 0.5 * sigma ** 2 * self.dt)
        s.advance(self.dt, compute_shock)
        if shocks.breakthrough_rate > 0:
            jumps = self.rng.poisson(shocks.breakthrough_rate * self.dt, s.n)
            s.apply_breakthroughs((1.0 + shocks.breakthrough_size) ** jumps)
        self.t = self.steps * self.dt
        self.datacollector.collect(self)
        if self.steps >= self.config.steps:
            self.running = False

    def run(self) -> "RaceModel":
        """Step until the horizon is reached."""
        while self.running:
            self.step()
        return self

    def labs_frame(self) -> pd.DataFrame:
        return self.recorder.labs_frame()

    def market_frame(self) -> pd.DataFrame:
        return self.recorder.market_frame()
