"""Troynikov's power law (seed 000, eq. 1): ``dM/dt = beta_T (alpha C)^epsilon``, planning state ``x = M``."""

from __future__ import annotations

import numpy as np

from labs.laws.base import Array, CapabilityLaw, Params, growth_integral
from labs.params import Param


class PowerLaw(CapabilityLaw):
    name = "power"
    description = "dM/dt = beta_T (alpha C)^epsilon (Troynikov eq. 1)"
    rate_concave = True  # (alpha C)^epsilon with 0 < epsilon < 1
    params = {
        "beta_T": Param("beta_T", 1.0, "training productivity scale", low=0.0, low_open=True, scale=(0.1, 5.0)),
        "epsilon": Param("epsilon", 0.5, "returns to training compute", low=0.0, high=1.0,
                         low_open=True, high_open=True, scale=(0.1, 0.9)),
        "capability0": Param("capability0", 1.0, "initial capability M(0)", low=0.0, low_open=True,
                             scale=(0.1, 100.0)),
    }
    balanced_growth = True

    def initial_state(self, p: Params) -> tuple[Array, Array]:
        M = np.asarray(p["capability0"], dtype=float).copy()
        return M, np.zeros_like(M)

    def planning_state(self, M: Array, F: Array) -> Array:
        return M

    def multiplier(self, M: Array, F: Array, p: Params) -> Array:
        """1: a breakthrough raises ``M``, which is this law's state, so it needs no separate factor."""
        return np.ones_like(M)

    def capability(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        return multiplier * x

    def dcapability_dx(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        return multiplier * np.ones_like(x)

    def rate(self, alpha: Array, C: Array, p: Params) -> Array:
        return p["beta_T"] * (alpha * C) ** p["epsilon"]

    def drate_dalpha(self, alpha: Array, C: Array, p: Params) -> Array:
        eps = p["epsilon"]
        with np.errstate(divide="ignore"):
            return p["beta_T"] * eps * C ** eps * np.power(alpha, eps - 1.0)

    def rate_power(self, C: Array, p: Params) -> tuple[Array, Array]:
        """``beta_T (alpha C)^epsilon = (beta_T C^epsilon) alpha^epsilon``."""
        return p["beta_T"] * C ** p["epsilon"], p["epsilon"]

    def gain(self, alpha, C, g, dt, p: Params) -> Array:
        eps = p["epsilon"]
        return (alpha * C) ** eps * (p["beta_T"] * growth_integral(eps * g, dt))

    def gain_dalpha(self, alpha, C, g, dt, p: Params) -> Array:
        return self.drate_dalpha(alpha, C, p) * growth_integral(p["epsilon"] * g, dt)

    def advance(self, M, F, alpha, C, g, dt, p: Params) -> tuple[Array, Array]:
        """The state is capability itself: add the step's exact gain (breakthroughs are already in ``M``)."""
        return M + self.gain(alpha, C, g, dt, p), F + alpha * C * growth_integral(g, dt)

    def stepper(self, g, dt, p: Params):
        """:meth:`advance` with both growth integrals computed once: the same operations on the same numbers."""
        eps = p["epsilon"]
        training, compute = p["beta_T"] * growth_integral(eps * g, dt), growth_integral(g, dt)

        def advance(M: Array, F: Array, alpha: Array, C: Array) -> tuple[Array, Array]:
            spent = alpha * C
            return M + spent ** eps * training, F + spent * compute

        return advance

    def separable_argmax(self, serving_value: Array, costate: Array, C: Array, p: Params) -> Array:
        """Troynikov's eq. 7, clipped to [0, 1]: the stationary point of the concave Hamiltonian.

        dH/dalpha = -a C + lambda beta_T epsilon alpha^(epsilon - 1) C^epsilon = 0 with ``a = serving_value``.
        """
        eps, beta = p["epsilon"], p["beta_T"]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = costate * (beta * eps) / (serving_value * C ** (1.0 - eps))
            # A non-positive costate gives alpha = 0 (fmax also maps the nan of 0 / 0 there to 0).
            alpha = np.fmax(ratio, 0.0) ** (1.0 / (1.0 - eps))
        return np.minimum(alpha, 1.0)

    def training_elasticity(self, M: Array, F: Array, p: Params) -> Array:
        """epsilon, the exponent of training compute in the rate."""
        return np.broadcast_to(np.asarray(p["epsilon"], dtype=float), np.shape(M)).copy()
