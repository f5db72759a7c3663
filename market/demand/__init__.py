"""Inverse-demand forms: the contract (:mod:`market.demand.base`) and the registry of every form.

Each module of this package that defines a :class:`DemandForm` subclass with a ``name`` contributes it
to :data:`DEMANDS`; adding a demand form is adding one module here (and its tests).
"""

from __future__ import annotations

from labs.registry import discover
from market.demand.base import DemandForm


DEMANDS: dict[str, DemandForm] = discover(__name__, __path__, DemandForm)
"""Every registered demand form by name."""

__all__ = ["DEMANDS", "DemandForm"]
