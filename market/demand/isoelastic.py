"""Constant-elasticity inverse demand: the price falls by the same percentage for each percent more tokens.

``P = omega q (T / T0(t))^(-1 / eta)`` with quality ``q = V / T`` and ``T0(t) = T0 exp(g_d t)`` (demand
growth shifts the curve outwards), so the pool is ``P T = omega V (T / T0)^(-1 / eta)``. With elasticity
``eta > 1`` demand is elastic and selling more tokens still raises the pool; with ``eta < 1`` it falls.
Unlike the quasilinear form the price never reaches zero, so a congested market is never a free one.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from labs.params import Param
from market.demand.base import Array, DemandForm


class IsoelasticDemand(DemandForm):
    name = "isoelastic"
    description = "P = omega q (T / T0(t))^(-1/eta): constant price elasticity eta"
    params = {
        "elasticity": Param("elasticity", 2.0, "price elasticity of demand eta", low=0.0, low_open=True,
                            high=1000.0, scale=(0.5, 10.0)),
        "reference_tokens": Param("reference_tokens", 1000.0,
                                  "tokens T0 at which the price is omega q (its scale)", low=0.0,
                                  low_open=True, scale=(10.0, 10000.0)),
    }

    def condition(self, t: Array | float, growth: float, p: Mapping[str, Any]) -> Array:
        """``(T0(t), eta)``: the reference quantity at ``t`` and the elasticity."""
        return np.stack(np.broadcast_arrays(p["reference_tokens"] * np.exp(growth * np.asarray(t, dtype=float)),
                                            float(p["elasticity"])))

    def _factor(self, tokens: Array, condition: Array) -> Array:
        """``(T / T0)^(-1/eta)``, and 0 where nobody serves (no tokens, no pool)."""
        reference, eta = condition[0], condition[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = (np.asarray(tokens, dtype=float) / reference) ** (-1.0 / eta)
        return np.where(np.asarray(tokens) > 0, factor, 0.0)

    def pool(self, value, tokens, condition, omega) -> Array:
        return omega * value * self._factor(tokens, condition)

    def pool_derivatives(self, value, tokens, condition, omega) -> tuple[Array, Array]:
        factor = self._factor(tokens, condition)
        with np.errstate(divide="ignore", invalid="ignore"):
            dtokens = np.where(np.asarray(tokens) > 0, -omega * value * factor / (condition[1] * tokens), 0.0)
        return omega * factor, dtokens

    def independent(self, p: Mapping[str, Any]) -> bool:
        return False
