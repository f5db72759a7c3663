"""Compute-optimal training with Hoffmann et al.'s loss (Hao & Merrill): planning state ``x = F``.

``F`` is cumulative training compute, with ``dF/dt = alpha C``. It becomes FLOPs through the hardware
efficiency ``E``; the lab trains compute-optimally (``C_FLOP = 6 N D``, ``D = r N``, optionally
``D <= D_max``) and its capability is ``M = m / (L(N, D) - E0)`` with breakthrough multiplier ``m``.
"""

from __future__ import annotations

import numpy as np

from labs.laws.base import Array, CapabilityLaw, Params, growth_integral
from labs.params import Param
from labs.sizing import HOFFMANN


class ChinchillaLaw(CapabilityLaw):
    name = "chinchilla"
    description = "compute-optimal N, D from cumulative FLOPs; M = 1/(L - E0) (Hoffmann et al.)"
    rate_concave = True  # alpha C, linear
    params = {
        "efficiency": Param("efficiency", 1e22, "FLOP per compute unit (hardware efficiency E)",
                            low=0.0, low_open=True, scale=(1e20, 1e24)),
        "tokens_per_param": Param("tokens_per_param", 20.0, "compute-optimal tokens per parameter r",
                                  low=0.0, low_open=True, scale=(5.0, 100.0)),
        "data_cap": Param("data_cap", None, "maximum training tokens D_max (omit for no cap)",
                          low=0.0, low_open=True, optional=True, scale=(1e10, 1e14)),
        "trained0": Param("trained0", 10.0, "cumulative training compute F(0) in compute units",
                          low=0.0, low_open=True, scale=(1.0, 1000.0)),
    }

    @staticmethod
    def _cap(p: Params, like: Array) -> Array:
        cap = p.get("data_cap")
        if cap is None:
            return np.full_like(like, np.inf)
        cap = np.asarray(cap, dtype=float)
        return np.where(np.isnan(cap), np.inf, cap)

    def model_size(self, F: Array, p: Params) -> tuple[Array, Array, Array]:
        """Compute-optimal parameters ``N``, tokens ``D`` and whether the data cap binds, for ``F``."""
        flops = p["efficiency"] * F
        r = p["tokens_per_param"]
        N = np.sqrt(flops / (6.0 * r))
        cap = self._cap(p, F)
        capped = r * N > cap
        D = np.where(capped, cap, r * N)
        N = np.where(capped, flops / (6.0 * np.where(capped, cap, 1.0)), N)
        return N, D, capped

    def _terms(self, F: Array, p: Params) -> tuple[Array, Array, Array]:
        N, D, capped = self.model_size(F, p)
        return HOFFMANN["A"] / N ** HOFFMANN["a"], HOFFMANN["B"] / D ** HOFFMANN["b"], capped

    def initial_state(self, p: Params) -> tuple[Array, Array]:
        F = np.asarray(p["trained0"], dtype=float).copy()
        return self.capability(F, p), F

    def planning_state(self, M: Array, F: Array) -> Array:
        return F

    def capability(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        term_n, term_d, _ = self._terms(x, p)
        return multiplier / (term_n + term_d)

    def dcapability_dx(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        term_n, term_d, capped = self._terms(x, p)
        a, b = HOFFMANN["a"], HOFFMANN["b"]
        # N ~ F^(1/2), D ~ F^(1/2) while uncapped; N ~ F, D fixed once the cap binds.
        dloss = np.where(capped, a * term_n, 0.5 * a * term_n + 0.5 * b * term_d) / x
        M = 1.0 / (term_n + term_d)
        return multiplier * M * M * dloss

    def rate(self, alpha: Array, C: Array, p: Params) -> Array:
        return alpha * C

    def drate_dalpha(self, alpha: Array, C: Array, p: Params) -> Array:
        return C * np.ones_like(alpha)

    def rate_power(self, C: Array, p: Params) -> tuple[Array, float]:
        """``alpha C``: the first power of alpha."""
        return C, 1.0

    def gain(self, alpha, C, g, dt, p: Params) -> Array:
        return alpha * C * growth_integral(g, dt)

    def gain_dalpha(self, alpha, C, g, dt, p: Params) -> Array:
        return C * growth_integral(g, dt) * np.ones_like(alpha)

    def separable_argmax(self, serving_value: Array, costate: Array, C: Array, p: Params) -> Array:
        """The Hamiltonian is linear in alpha: train fully when a unit of compute is worth more in training.

        ``H = a (1 - alpha) C + lambda alpha C``, so alpha = 1 where ``lambda > a`` and 0 otherwise (a tie,
        where every alpha is optimal, resolves to serving).
        """
        return np.where(costate > serving_value, 1.0, 0.0)

    def kinks(self, p: Params) -> Array:
        """Where the data cap starts to bind: ``r N = D_max`` with ``N = sqrt(E F / (6 r))``, i.e.
        ``F = 6 D_max^2 / (r E)``; there ``dM/dF`` jumps (``N`` then grows like ``F``, not ``F^(1/2)``)."""
        cap = p.get("data_cap")
        if cap is None or not np.all(np.isfinite(cap)):
            return np.empty(0)
        return np.atleast_1d(6.0 * np.asarray(cap, dtype=float) ** 2 / (p["tokens_per_param"] * p["efficiency"]))

    def training_elasticity(self, M: Array, F: Array, p: Params) -> Array:
        """``d ln M / d ln F`` at the labs' cumulative training (the multiplier cancels)."""
        return F * self.dcapability_dx(F, p) / self.capability(F, p)
