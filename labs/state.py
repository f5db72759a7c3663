"""Lab state as arrays: one row per lab, advanced for all labs at once.

The model owns a single :class:`LabState`; Mesa ``Lab`` agents are views onto its rows. Labs that use the
same capability law are advanced together in one vectorised call per law.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from labs.laws import LAWS, CapabilityLaw
from labs.spec import LabSpec

Array = np.ndarray


def law_param_arrays(law: CapabilityLaw, specs: Sequence[LabSpec], index: Array) -> dict[str, Array]:
    """Per-lab arrays of ``law``'s parameters for the labs ``index`` (an omitted optional one is NaN)."""
    rows = [specs[int(i)].law_kwargs for i in index]
    return {name: np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=float)
            for name in law.params}


class LawGroup:
    """The labs that share one capability law, with their law parameters as arrays."""

    def __init__(self, law: CapabilityLaw, index: Array, specs: Sequence[LabSpec]) -> None:
        self.law = law
        self.index = index
        self.params = law_param_arrays(law, specs, index)


class LabState:
    """Capability, compute, cumulative training, NPV and the last decisions, for every lab."""

    def __init__(self, specs: Sequence[LabSpec]) -> None:
        self.n = len(specs)
        self.names = [s.name for s in specs]
        self.compute0 = np.array([s.compute0 for s in specs], dtype=float)
        self.growth = np.array([s.growth for s in specs], dtype=float)
        self.discount = np.array([s.discount for s in specs], dtype=float)
        laws = np.array([s.law for s in specs])
        self.groups = [LawGroup(LAWS[name], np.flatnonzero(laws == name), specs)
                       for name in LAWS if np.any(laws == name)]
        self.capability = np.empty(self.n)
        self.trained = np.empty(self.n)
        for group in self.groups:
            M, F = group.law.initial_state(group.params)
            self.capability[group.index] = M
            self.trained[group.index] = F
        self.compute = self.compute0.copy()
        self.alpha = np.zeros(self.n)
        self.revenue = np.zeros(self.n)
        self.share = np.zeros(self.n)
        self.npv = np.zeros(self.n)
        self.growth_observed = self.growth.copy()
        self.capability_growth = np.zeros(self.n)

    @property
    def capacity(self) -> Array:
        """Serving capacity K = (1 - alpha) C at the current decisions."""
        return (1.0 - self.alpha) * self.compute

    def book_revenue(self, revenue: Array, share: Array, t: float, dt: float) -> None:
        """Add the exact discounted integral of a revenue rate held constant over [t, t + dt)."""
        rho = self.discount
        self.revenue = revenue
        self.share = share
        self.npv = self.npv + revenue * np.exp(-rho * t) * (-np.expm1(-rho * dt)) / rho

    def advance(self, dt: float, compute_shock: Array | None = None) -> None:
        """Train at the current alpha and grow compute over one step (exact for each law)."""
        M_old = self.capability
        C_old = self.compute
        M_new = np.empty(self.n)
        F_new = np.empty(self.n)
        for group in self.groups:
            i = group.index
            M_new[i], F_new[i] = group.law.advance(M_old[i], self.trained[i], self.alpha[i], C_old[i],
                                                   self.growth[i], dt, group.params)
        growth = np.exp(self.growth * dt)
        if compute_shock is not None:
            growth = growth * compute_shock
        self.capability, self.trained, self.compute = M_new, F_new, C_old * growth
        self.growth_observed = np.log(growth) / dt
        self.capability_growth = np.log(M_new / M_old) / dt

    def apply_breakthroughs(self, factor: Array) -> None:
        """Multiply capability by ``factor`` (1 where no breakthrough happened)."""
        self.capability = self.capability * factor
