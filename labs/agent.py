"""The Lab agent: a Mesa agent that is a view onto one row of the model's :class:`LabState`.

Reading ``lab.capability`` reads the array; nothing is copied, so the arrays stay the single source of
truth and the vectorised step never has to visit agents one by one. Everything Mesa offers on agents
(AgentSet selection, aggregation, SolaraViz) still works.
"""

from __future__ import annotations

import mesa

from labs.spec import LabSpec


class Lab(mesa.Agent):
    """One frontier lab. Its numbers live in ``model.state`` at row ``index``."""

    def __init__(self, model: mesa.Model, index: int, spec: LabSpec) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def policy_label(self) -> str:
        return self.spec.policy.label()

    @property
    def capability(self) -> float:
        return float(self.model.state.capability[self.index])

    @property
    def compute(self) -> float:
        return float(self.model.state.compute[self.index])

    @property
    def alpha(self) -> float:
        return float(self.model.state.alpha[self.index])

    @property
    def capacity(self) -> float:
        return float(self.model.state.capacity[self.index])

    @property
    def revenue(self) -> float:
        return float(self.model.state.revenue[self.index])

    @property
    def share(self) -> float:
        return float(self.model.state.share[self.index])

    @property
    def npv(self) -> float:
        return float(self.model.state.npv[self.index])

    def __repr__(self) -> str:
        return f"Lab({self.name!r}, policy={self.policy_label}, M={self.capability:.4g})"
