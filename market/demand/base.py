"""The contract every inverse-demand form fulfils.

In labrace's market (docs/model.md §2) a demand form turns the market's total value ``V = sum M^gamma K``
and total tokens ``T = sum K`` into the revenue pool ``P T`` (never negative), given the price scale
``omega`` and a time-only *condition* of demand (its slope or its saturation point at time ``t``). The
pool depending on the labs only through ``V`` and ``T`` is what lets a planning lab evaluate its own
revenue from its rivals' aggregates; the derivatives are what its optimal-control solver needs.

A form declares its parameters (name, default, range, meaning) in ``params``; the market table of a
scenario file holds them alongside the market's own parameters, and the visualiser makes its sliders
from them. ``independent`` says when the pool is exactly ``omega V``, so that each lab earns
``omega M^gamma K`` whatever its rivals do (with contest exponent ``lambda = gamma``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Mapping

import numpy as np

from labs.params import Param

Array = np.ndarray


class DemandForm(ABC):
    """Interface of an inverse-demand form; ``p`` maps the form's parameter names to values."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[Mapping[str, Param]] = {}

    pool_concave_in_supply: ClassVar[bool] = False
    """Optional property a form may declare: with the rivals' value and tokens fixed, the pool is concave
    in one lab's own supply ``K`` (``V = V0 + m K``, ``T = T0 + K``, ``m >= 0``) wherever it is positive,
    and positive on an interval of ``K``. Planning solvers then know the lab's Hamiltonian has a single
    maximum in alpha in the cases :attr:`policies.optimal_control.HamiltonianAt.unimodal` lists, and
    skip the global scan there. False (the safe default) keeps the scan."""

    @abstractmethod
    def condition(self, t: Array | float, growth: float, p: Mapping[str, Any]) -> Array | float:
        """The time-only term of demand at ``t`` when demand grows at rate ``growth``."""

    @abstractmethod
    def pool(self, value: Array, tokens: Array, condition: Array | float, omega: Array | float) -> Array:
        """Revenue pool ``P T`` (floored at zero) from total value ``V`` and tokens ``T``."""

    @abstractmethod
    def pool_derivatives(self, value: Array, tokens: Array, condition: Array | float,
                         omega: Array | float) -> tuple[Array, Array]:
        """``(dPool/dV, dPool/dT)``, zero where the pool is floored at zero."""

    @abstractmethod
    def independent(self, p: Mapping[str, Any]) -> bool:
        """True when the pool is exactly ``omega V`` for these parameters (no congestion, no saturation)."""
