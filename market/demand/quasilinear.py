"""Hao & Merrill's quasilinear inverse demand ``P = omega q - delta(t) T`` with quality ``q = V / T``."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from labs.params import Param
from market.demand.base import Array, DemandForm


class QuasilinearDemand(DemandForm):
    """``P T = omega V - delta T^2`` with ``delta(t) = delta0 exp(-g_d t)``: demand growth flattens the slope."""

    name = "quasilinear"
    description = "P = omega q - delta(t) T (Hao & Merrill); delta0 = 0 is unsaturable demand"
    pool_concave_in_supply = True  # omega (V0 + m K) - delta (T0 + K)^2 is a concave quadratic in K
    params = {
        "delta0": Param("delta0", 0.0, "quasilinear demand slope delta(0) (0: unsaturable demand)", low=0.0,
                        scale=(0.0, 10.0)),
    }

    def condition(self, t: Array | float, growth: float, p: Mapping[str, Any]) -> Array | float:
        if growth == 0.0:  # exp(0) is exactly 1: skip it, it is a third of a clearing
            return p["delta0"]
        return p["delta0"] * np.exp(-growth * np.asarray(t, dtype=float))

    def pool(self, value, tokens, condition, omega) -> Array:
        pool = omega * value - condition * tokens * tokens
        if type(pool) is float:  # one market clearing: np.maximum's rule without its scalar dispatch
            return 0.0 if 0.0 > pool else pool
        return np.maximum(0.0, pool)

    def pool_derivatives(self, value, tokens, condition, omega) -> tuple[Array, Array]:
        open_market = omega * value - condition * tokens * tokens > 0
        return np.where(open_market, omega, 0.0), np.where(open_market, -2.0 * condition * tokens, 0.0)

    def independent(self, p: Mapping[str, Any]) -> bool:
        return p["delta0"] == 0.0
