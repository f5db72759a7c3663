"""Capability laws: how training compute turns into model capability.

A law is a stateless object that works on whole arrays of labs at once. Each law has its own *planning
state* ``x`` — the variable an optimal-control solver integrates — and maps it to capability ``M``:

* ``power`` (Troynikov eq. 1): ``x = M`` and ``dM/dt = beta_T (alpha C)^epsilon``.
* ``chinchilla`` (Hoffmann et al.; Hao & Merrill): ``x = F``, cumulative training compute, with
  ``dF/dt = alpha C``; F becomes FLOPs through the hardware efficiency, the lab trains compute-optimally
  (``C_FLOP = 6 N D``, ``D = r N``, optionally ``D <= D_max``) and ``M = 1 / (L - E0)``.

``advance`` integrates a step exactly for exponential compute ``C(s) = C_k exp(g s)`` held at a constant
alpha, which is what the model's step needs; ``rate``/``drate_dx``/``capability``/``dcapability_dx`` are
what the Pontryagin solver needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Mapping

import numpy as np

from labs.params import Param

Array = np.ndarray


def growth_integral(rate: Array | float, dt: float) -> Array:
    """``(exp(rate dt) - 1) / rate``: the integral of ``exp(rate s)`` over ``[0, dt]``, stable at rate 0."""
    rate = np.asarray(rate, dtype=float)
    x = rate * dt
    if np.abs(x).min(initial=np.inf) >= 1e-12:  # the model's every step: skip the series branch, same numbers
        return np.expm1(x) / rate
    small = np.abs(x) < 1e-12
    safe = np.where(small, 1.0, rate)
    return np.where(small, dt * (1.0 + 0.5 * rate * dt), np.expm1(safe * dt) / safe)


class CapabilityLaw(ABC):
    """Interface of a vectorised capability law. ``p`` maps parameter names to per-lab arrays."""

    name: str = ""
    description: str = ""
    params: Mapping[str, Param] = {}

    @abstractmethod
    def initial_state(self, p: Mapping[str, Array]) -> tuple[Array, Array]:
        """Initial capability ``M`` and cumulative training compute ``F``."""

    @abstractmethod
    def planning_state(self, M: Array, F: Array) -> Array:
        """The state ``x`` the optimal-control solver integrates for these labs."""

    @abstractmethod
    def capability(self, x: Array, p: Mapping[str, Array]) -> Array:
        """Capability ``M`` at planning state ``x``."""

    @abstractmethod
    def dcapability_dx(self, x: Array, p: Mapping[str, Array]) -> Array:
        """``dM/dx``: what a unit of planning state is worth in capability (enters the costate)."""

    @abstractmethod
    def rate(self, x: Array, alpha: Array, C: Array, p: Mapping[str, Array]) -> Array:
        """``dx/dt`` at training share ``alpha`` and compute ``C``."""

    @abstractmethod
    def drate_dalpha(self, x: Array, alpha: Array, C: Array, p: Mapping[str, Array]) -> Array:
        """``d(dx/dt)/dalpha``: the marginal product of training (enters dH/dalpha)."""

    @abstractmethod
    def gain(self, alpha: Array, C: Array, g: Array | float, dt: Array | float,
             p: Mapping[str, Array]) -> Array:
        """Exact change of the planning state over ``dt`` at constant ``alpha``, ``C(s) = C exp(g s)``."""

    @abstractmethod
    def gain_dalpha(self, alpha: Array, C: Array, g: Array | float, dt: Array | float,
                    p: Mapping[str, Array]) -> Array:
        """Derivative of :meth:`gain` with respect to ``alpha``."""

    @abstractmethod
    def advance(self, M: Array, F: Array, alpha: Array, C: Array, g: Array, dt: float,
                p: Mapping[str, Array]) -> tuple[Array, Array]:
        """State after ``dt`` at constant ``alpha`` with ``C(s) = C exp(g s)`` (exact)."""


class PowerLaw(CapabilityLaw):
    name = "power"
    description = "dM/dt = beta_T (alpha C)^epsilon (Troynikov eq. 1)"
    params = {
        "beta_T": Param("beta_T", 1.0, "training productivity scale", low=0.0, low_open=True),
        "epsilon": Param("epsilon", 0.5, "returns to training compute", low=0.0, high=1.0,
                         low_open=True, high_open=True),
        "capability0": Param("capability0", 1.0, "initial capability M(0)", low=0.0, low_open=True),
    }

    def initial_state(self, p):
        M = np.asarray(p["capability0"], dtype=float).copy()
        return M, np.zeros_like(M)

    def planning_state(self, M, F):
        return M

    def capability(self, x, p):
        return x

    def dcapability_dx(self, x, p):
        return np.ones_like(x)

    def rate(self, x, alpha, C, p):
        return p["beta_T"] * (alpha * C) ** p["epsilon"]

    def drate_dalpha(self, x, alpha, C, p):
        eps = p["epsilon"]
        with np.errstate(divide="ignore"):
            return p["beta_T"] * eps * C ** eps * np.power(alpha, eps - 1.0)

    def gain(self, alpha, C, g, dt, p):
        eps = p["epsilon"]
        return p["beta_T"] * (alpha * C) ** eps * growth_integral(eps * g, dt)

    def gain_dalpha(self, alpha, C, g, dt, p):
        return self.drate_dalpha(None, alpha, C, p) * growth_integral(p["epsilon"] * g, dt)

    def advance(self, M, F, alpha, C, g, dt, p):
        return M + self.gain(alpha, C, g, dt, p), F + alpha * C * growth_integral(g, dt)


# Hoffmann et al. (2022) fit of L(N, D) = E0 + A / N^a + B / D^b.
HOFFMANN = {"E0": 1.69, "A": 406.4, "B": 410.7, "a": 0.34, "b": 0.28}


class ChinchillaLaw(CapabilityLaw):
    name = "chinchilla"
    description = "compute-optimal N, D from cumulative FLOPs; M = 1/(L - E0) (Hoffmann et al.)"
    params = {
        "efficiency": Param("efficiency", 1e22, "FLOP per compute unit (hardware efficiency E)",
                            low=0.0, low_open=True),
        "tokens_per_param": Param("tokens_per_param", 20.0, "compute-optimal tokens per parameter r",
                                  low=0.0, low_open=True),
        "data_cap": Param("data_cap", None, "maximum training tokens D_max (omit for no cap)",
                          low=0.0, low_open=True, optional=True),
        "trained0": Param("trained0", 10.0, "cumulative training compute F(0) in compute units",
                          low=0.0, low_open=True),
    }

    @staticmethod
    def _cap(p: Mapping[str, Array], like: Array) -> Array:
        cap = p.get("data_cap")
        if cap is None:
            return np.full_like(like, np.inf)
        cap = np.asarray(cap, dtype=float)
        return np.where(np.isnan(cap), np.inf, cap)

    def model_size(self, F: Array, p: Mapping[str, Array]) -> tuple[Array, Array, Array]:
        """Compute-optimal parameters ``N``, tokens ``D`` and whether the data cap binds, for ``F``."""
        flops = p["efficiency"] * F
        r = p["tokens_per_param"]
        N = np.sqrt(flops / (6.0 * r))
        cap = self._cap(p, F)
        capped = r * N > cap
        D = np.where(capped, cap, r * N)
        N = np.where(capped, flops / (6.0 * np.where(capped, cap, 1.0)), N)
        return N, D, capped

    def _terms(self, F, p):
        N, D, capped = self.model_size(F, p)
        return HOFFMANN["A"] / N ** HOFFMANN["a"], HOFFMANN["B"] / D ** HOFFMANN["b"], capped

    def initial_state(self, p):
        F = np.asarray(p["trained0"], dtype=float).copy()
        return self.capability(F, p), F

    def planning_state(self, M, F):
        return F

    def capability(self, x, p):
        term_n, term_d, _ = self._terms(x, p)
        return p.get("boost", 1.0) / (term_n + term_d)

    def dcapability_dx(self, x, p):
        term_n, term_d, capped = self._terms(x, p)
        a, b = HOFFMANN["a"], HOFFMANN["b"]
        # N ~ F^(1/2), D ~ F^(1/2) while uncapped; N ~ F, D fixed once the cap binds.
        dloss = np.where(capped, a * term_n, 0.5 * a * term_n + 0.5 * b * term_d) / x
        M = 1.0 / (term_n + term_d)
        return p.get("boost", 1.0) * M * M * dloss

    def rate(self, x, alpha, C, p):
        return alpha * C

    def drate_dalpha(self, x, alpha, C, p):
        return C * np.ones_like(alpha)

    def gain(self, alpha, C, g, dt, p):
        return alpha * C * growth_integral(g, dt)

    def gain_dalpha(self, alpha, C, g, dt, p):
        return C * growth_integral(g, dt) * np.ones_like(alpha)

    def advance(self, M, F, alpha, C, g, dt, p):
        # M / capability(F) is the lab's breakthrough multiplier; it carries over unchanged.
        F_new = F + self.gain(alpha, C, g, dt, p)
        return self.capability(F_new, p) * (M / self.capability(F, p)), F_new


LAWS: dict[str, CapabilityLaw] = {law.name: law for law in (PowerLaw(), ChinchillaLaw())}
