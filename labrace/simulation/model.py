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
from labs.state import LabState, read_only
from market.clearing import Clearing, clear
from market.config import RaceConfig
from labrace.simulation.recorder import Recorder
from policies.base import Observation, Policy
from policies.registry import make_policy


MESA_REPORTERS = ("t", "price", "tokens", "revenue_pool", "quality")
LAB_FILLED = ("alpha", "capacity", "share", "revenue", "npv")  # worked out in the step's record row itself
LAB_RECORDED = ("capability", "compute", "trained")  # copied into it
LAB_COSTS = ("cost", "profit", "npv_profit")
FREE_COMPUTE = {"cost": None, "profit": "revenue", "npv_profit": "npv"}  # what the cost columns are without costs


def _as_slice(index: np.ndarray) -> slice | np.ndarray:
    """The rows ``index`` as a slice when they are evenly spaced (labs seated in a repeating pattern, or
    in one block), else ``index`` itself: assigning through a slice writes a strided view, not a scatter."""
    if index.size == 1:
        return slice(int(index[0]), int(index[0]) + 1)
    stride = int(index[1] - index[0])
    if stride > 0 and np.array_equal(np.diff(index), np.full(index.size - 1, stride)):
        return slice(int(index[0]), int(index[-1]) + 1, stride)
    return index


class RecordedCollector(mesa.DataCollector):
    """Mesa's DataCollector of the market's scalars (``MESA_REPORTERS``), read from the run's recorder.

    The recorder already stores every step's price, tokens, pool and quality, so collecting notes only
    the step's time; ``model_vars``, which everything of Mesa's reads (``get_model_vars_dataframe``,
    batch_run, plot components), is built from the recorder when asked for, holding the values the
    model's attributes had after each step (``t`` as the model computes it, ``steps * dt``), and kept
    until another step is recorded.
    """

    def __init__(self, recorder: Recorder, dt: float) -> None:
        self._recorder, self._dt = recorder, dt
        self._vars: tuple[int, dict[str, list[float]]] = (-1, {})
        super().__init__(model_reporters={name: name for name in MESA_REPORTERS})

    @property
    def model_vars(self) -> dict[str, list[float]]:
        size = self._recorder.size
        if self._vars[0] != size:
            market = self._recorder.market
            self._vars = (size, {"t": [k * self._dt for k in range(1, size + 1)],
                                 **{name: market[name][:size].tolist() for name in MESA_REPORTERS[1:]}})
        return self._vars[1]

    @model_vars.setter
    def model_vars(self, value: dict) -> None:
        """Mesa's constructor sets up empty lists; the values come from the recorder instead."""

    def collect(self, model: mesa.Model) -> None:
        self._collection_steps.append(model.time)


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
        self.policy_groups, labels = self._give_policies()
        self._group_rows = [_as_slice(index) for _, index in self.policy_groups]  # where each group's alpha goes
        self._lab_agents: list[Lab] | None = None  # created on first use, see _materialise_labs
        self._costs = config.market.costs
        self._reinvesting = bool(self.state.reinvesting.any())
        # Recorded per step, in this order (with costs off profit is revenue and the bill zero: not written).
        written = (*LAB_RECORDED, *(LAB_COSTS if self._costs else ()))
        self.recorder = Recorder(config.steps, self.state.names, labels, written, FREE_COMPUTE, LAB_FILLED)
        self.tokens = self.revenue_pool = self.quality = float("nan")
        # Mesa's own collector, for what Mesa's tools read (batch_run, plot components): the market's
        # scalars by attribute name, each step, read from the recorder (which also holds the per-lab series).
        self.datacollector = RecordedCollector(self.recorder, self.dt)
        self.running = True

    def _give_policies(self) -> tuple[list[tuple[Policy, np.ndarray]], list[str]]:
        """One policy object per distinct policy spec, shared by the labs that use it, and each lab's label.

        A shared object decides for all of its labs in one vectorised call, which is what keeps a thousand
        labs cheap. The groups (policy, lab rows) come in order of first appearance; each spec's label is
        made once, not once per lab.
        """
        labs = self.config.labs
        # Specs are equal when their (name, params) are: grouping by that tuple is grouping by spec, with
        # the tuple's hash instead of a dataclass method call per lab.
        first: dict[tuple, int] = {}
        group_of = np.array([first.setdefault((lab.policy.name, lab.policy.params), len(first)) for lab in labs])
        groups = []
        labels = np.empty(self.state.n, dtype=object)
        for group in range(len(first)):
            index = np.flatnonzero(group_of == group)
            spec = labs[int(index[0])].policy
            policy = make_policy(spec)
            policy.reset()
            groups.append((policy, index))
            labels[index] = spec.label()
        return groups, labels.tolist()

    def _materialise_labs(self) -> list[Lab]:
        """The Lab agents, created (and registered with Mesa) the first time anything asks for agents.

        The step never visits agents (it works on ``state``'s arrays), so a run that nobody inspects
        through Mesa does not pay for registering one agent per lab. They are made in row order, before
        any other agent, so their ids are 1..N whenever they are first asked for.
        """
        if self._lab_agents is None:
            self._lab_agents = []  # set first: each Lab registers itself through register_agent
            policy_of: list[Policy | None] = [None] * self.state.n
            for policy, index in self.policy_groups:
                for i in index.tolist():
                    policy_of[i] = policy
            self._lab_agents = [Lab(self, i, spec, policy_of[i]) for i, spec in enumerate(self.config.labs)]
        return self._lab_agents

    def register_agent(self, agent: mesa.Agent) -> None:
        """Mesa's registration, after the labs' own (so that the labs keep the first ids)."""
        self._materialise_labs()
        super().register_agent(agent)

    def remove_all_agents(self) -> None:
        self._materialise_labs()
        super().remove_all_agents()

    @property
    def agents(self) -> mesa.agentset.AgentSet:
        """Mesa's set of every agent (the labs first), as ``mesa.Model.agents``."""
        self._materialise_labs()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agentset.AgentSet]:
        self._materialise_labs()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._materialise_labs()
        return super().agent_types

    @property
    def labs(self) -> list[Lab]:
        """Lab agents in row order."""
        return list(self._materialise_labs())

    def observe(self) -> Observation:
        """The public state at the start of the current step (Mesa counts the step before running it)."""
        return Observation.of_state(self.state, self.config, t=self.t, step=max(self.steps - 1, 0),
                                    price_last=self.price, rng=self.rng)

    def decide(self, obs: Observation, out: np.ndarray | None = None) -> np.ndarray:
        """Every lab's training share at ``obs``, clipped to [0, 1]; an error names labs given a non-finite one.

        The shares become the labs' (read-only) state, so they are always written into an array of the
        model's own, ``out`` (the step passes its record's row) or a fresh one, never one a policy
        returned (it may keep it). Policies' shares are nearly always in range already: their extremes
        are checked, and only shares outside [0, 1] (or NaN, which fails both comparisons) take the clip
        and the finiteness check.
        """
        alpha = np.empty(self.state.n) if out is None else out
        if len(self.policy_groups) == 1:  # one policy for every lab, whose rows are 0..N-1 in order
            policy, labs = self.policy_groups[0]
            np.copyto(alpha, policy.decide(obs, labs))  # a policy's one share for all is broadcast
        else:
            for (policy, labs), rows in zip(self.policy_groups, self._group_rows):
                alpha[rows] = policy.decide(obs, labs)
        if not (0.0 <= alpha.min() and alpha.max() <= 1.0):
            if not np.isfinite(alpha).all():
                bad = [self.state.names[i] for i in np.flatnonzero(~np.isfinite(alpha))]
                raise FloatingPointError(f"policy returned a non-finite alpha for labs {bad}")
            np.clip(alpha, 0.0, 1.0, out=alpha)
        return read_only(alpha)  # the labs' state from now on

    def step(self) -> None:
        """One step of model.md §3; nothing once the horizon is reached (``running`` is False).

        Callers may step a finished model: Mesa's SolaraViz steps its render interval's worth of times per
        update without looking at ``running`` in between. Without this guard such a step would record past
        the recorder's end and move the labs beyond the horizon.
        """
        if not self.running:
            return
        s = self.state
        t, dt = self.t, self.dt
        shocks = self.config.shocks
        record = self.recorder
        s.alpha = self.decide(self.observe(), record.row("alpha"))  # decided and clipped in the record
        omega = None
        if shocks.demand_noise > 0:
            sigma = shocks.demand_noise
            omega = self.market_params.omega * np.exp(sigma * self.rng.standard_normal() - 0.5 * sigma ** 2)
        capacity = s.serving_capacity(record.row("capacity"))
        result = clear(s.capability, capacity, t, self.market_params, omega,
                       into=(record.row("share"), record.row("revenue")))
        s.book_revenue(result.revenue, result.shares, t, dt, record.row("npv"))
        self.price, self.tokens, self.revenue_pool, self.quality = market = (
            result.price, result.tokens, result.pool, result.quality)
        self.last_clearing = result
        lab_values = [s.capability, s.compute, s.trained]
        extra = None
        if self._costs:
            unit_price = float(self.market_params.unit_price(t))
            s.book_cost(unit_price * s.compute, t, dt)
            lab_values += [s.cost, s.profit, s.npv_profit]
            if self._reinvesting:
                extra = s.reinvestment_growth(unit_price)
        record.record(t, lab_values, market)
        compute_shock = None
        if shocks.compute_noise > 0:
            sigma = shocks.compute_noise
            z = self.rng.standard_normal(s.n)
            compute_shock = np.exp(sigma * np.sqrt(dt) * z - 0.5 * sigma ** 2 * dt)
        s.advance(dt, compute_shock, extra)
        if shocks.breakthrough_rate > 0:
            jumps = self.rng.poisson(shocks.breakthrough_rate * dt, s.n)
            s.apply_breakthroughs((1.0 + shocks.breakthrough_size) ** jumps)
        self.t = self.steps * dt
        self.datacollector.collect(self)
        if self.steps >= self.config.steps:
            self.running = False

    def run(self) -> "RaceModel":
        """Step until the horizon is reached: Mesa's clock runs the remaining steps in one advance."""
        if self.running:
            self.run_for(self.config.steps - self.steps)
        return self

    def labs_frame(self) -> pd.DataFrame:
        return self.recorder.labs_frame()

    def market_frame(self) -> pd.DataFrame:
        return self.recorder.market_frame()
