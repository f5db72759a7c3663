"""Capacity-limited demand: the price falls linearly to zero as tokens approach the market's size."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from labs.params import Param
from market.demand.base import Array, DemandForm


class CapacityDemand(DemandForm):
    """``P = omega q (1 - T / D(t))``, so ``P T = omega V (1 - T / D)``, with ``D(t) = D0 exp(g_d t)``."""

    name = "capacity"
    description = "P = omega q (1 - T / D(t)): the price reaches zero at D(t) tokens"
    pool_concave_in_supply = True  # omega (V0 + m K)(1 - (T0 + K) / D): a concave quadratic in K
    params = {
        "capacity0": Param("capacity0", 1000.0, "capacity demand: tokens at which the price hits zero, D(0)",
                           low=0.0, low_open=True, scale=(10.0, 10000.0)),
    }

    def condition(self, t: Array | float, growth: float, p: Mapping[str, Any]) -> Array:
        return p["capacity0"] * np.exp(growth * np.asarray(t, dtype=float))

    def pool(self, value, tokens, condition, omega) -> Array:
        return omega * value * np.maximum(0.0, 1.0 - tokens / condition)

    def pool_derivatives(self, value, tokens, condition, omega) -> tuple[Array, Array]:
        open_market = tokens < condition
        return (omega * np.maximum(0.0, 1.0 - tokens / condition),
                np.where(open_market, -omega * value / condition, 0.0))

    def independent(self, p: Mapping[str, Any]) -> bool:
        return False
