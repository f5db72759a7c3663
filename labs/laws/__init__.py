"""Capability laws: the contract (:mod:`labs.laws.base`) and the registry of every law.

Each module of this package that defines a :class:`CapabilityLaw` subclass with a ``name`` contributes
it to :data:`LAWS`; adding a law is adding one module here (and its tests).
"""

from __future__ import annotations

from labs.registry import discover
from labs.laws.base import CapabilityLaw, growth_integral, serving_factor


LAWS: dict[str, CapabilityLaw] = discover(__name__, __path__, CapabilityLaw)
"""Every registered law by name."""

__all__ = ["CapabilityLaw", "LAWS", "growth_integral", "serving_factor"]
