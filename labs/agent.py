"""The Lab agent: a Mesa agent that holds its policy and is a view onto one row of the model's :class:`LabState`.

Reading ``lab.capability`` reads the array; nothing is copied, so the arrays stay the single source of
truth and the vectorised step never has to visit agents one by one. Labs with the same policy
specification hold the same policy object, which decides for all of them in one call (the model forms
those groups from the specs and hands each agent its group's object). Everything Mesa offers on agents
(AgentSet selection, grouping, aggregation, SolaraViz) works on them.
"""

from __future__ import annotations

from typing import Any, Protocol

import mesa
import numpy as np

from labs.spec import LabSpec, PolicySpec


class DecisionRule(Protocol):
    """What a lab needs of its policy (``policies.base.Policy`` fulfils it): alpha for some labs."""

    def decide(self, obs: Any, labs: np.ndarray) -> np.ndarray: ...


class Lab(mesa.Agent):
    """One frontier lab. Its numbers live in ``model.state`` at row ``index``; ``policy`` decides its alpha."""

    def __init__(self, model: mesa.Model, index: int, spec: LabSpec, policy: DecisionRule | None = None) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.policy = policy

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def policy_spec(self) -> PolicySpec:
        return self.spec.policy

    @property
    def policy_label(self) -> str:
        return self.spec.policy.label()

    def decide(self, obs: Any) -> float:
        """This lab's training share at ``obs`` (the model asks the shared policy for its whole group at once)."""
        if self.policy is None:
            raise RuntimeError(f"lab {self.name!r} has no policy yet")
        return float(self.policy.decide(obs, np.array([self.index]))[0])

    def _row(self, column: str) -> float:
        return float(getattr(self.model.state, column)[self.index])

    @property
    def capability(self) -> float:
        return self._row("capability")

    @property
    def compute(self) -> float:
        return self._row("compute")

    @property
    def alpha(self) -> float:
        return self._row("alpha")

    @property
    def capacity(self) -> float:
        return self._row("capacity")

    @property
    def revenue(self) -> float:
        return self._row("revenue")

    @property
    def share(self) -> float:
        return self._row("share")

    @property
    def npv(self) -> float:
        return self._row("npv")

    def __repr__(self) -> str:
        return f"Lab({self.name!r}, policy={self.policy_label}, M={self.capability:.4g})"
