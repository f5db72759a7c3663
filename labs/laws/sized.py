"""Laws where the lab chooses each model's size (model.md §6): loss-optimal and inference-aware splits.

Like ``chinchilla`` the planning state is cumulative training compute ``F`` with ``dF/dt = alpha C``, and
capability is ``M = m / (L(N, D) - E0)``; only the split of the FLOPs ``E F = 6 N D`` differs:

* ``loss_optimal``: the exact minimiser of Hoffmann et al.'s loss at that compute;
* ``inference_aware``: Sardana et al.'s split for a model that will serve ``inference_tokens`` tokens.

The size's elasticity ``d ln N / d ln F`` (from :mod:`labs.sizing`) gives ``dM/dF`` exactly. With
``reference_params`` set, a larger model also serves fewer tokens per unit of compute (``serving``).
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from labs.laws.base import Array, Params
from labs.laws.chinchilla import ChinchillaLaw
from labs.params import Param
from labs.sizing import HOFFMANN_FIT, inference_split, inference_split_elasticity, loss_optimal_split

_EFFICIENCY = ChinchillaLaw.params["efficiency"]
_TRAINED0 = ChinchillaLaw.params["trained0"]
_REFERENCE = Param("reference_params", None,
                   "size N_ref whose tokens are the market's unit: capacity K = (1 - alpha) C N_ref / N "
                   "(omit: one token per compute unit)", low=0.0, low_open=True, optional=True, scale=(1e9, 1e12))


class _ChosenSizeLaw(ChinchillaLaw):
    """A ``chinchilla``-like law whose split of the FLOPs is :meth:`split` (with its elasticity)."""

    name = ""  # not a law itself: the registry takes only its named subclasses

    @abstractmethod
    def split(self, flops: Array, p: Params) -> tuple[Array, Array]:
        """Parameters ``N`` and tokens ``D`` with ``6 N D = flops``."""

    @abstractmethod
    def size_elasticity(self, flops: Array, p: Params) -> Array:
        """``d ln N / d ln (E F)`` of :meth:`split`."""

    def model_size(self, F: Array, p: Params) -> tuple[Array, Array, Array]:
        N, D = self.split(p["efficiency"] * np.asarray(F, dtype=float), p)
        return N, D, np.zeros(np.shape(N), dtype=bool)

    def dcapability_dx(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        term_n, term_d, _ = self._terms(x, p)
        size = self.size_elasticity(p["efficiency"] * np.asarray(x, dtype=float), p)
        dloss = (HOFFMANN_FIT.a * term_n * size + HOFFMANN_FIT.b * term_d * (1.0 - size)) / x
        M = 1.0 / (term_n + term_d)
        return multiplier * M * M * dloss

    def serving(self, x: Array, p: Params) -> tuple[Array, Array]:
        """Tokens per unit of serving compute ``N_ref / N`` (a token costs 2N FLOP) and their derivative in F.

        Without ``reference_params`` every unit serves one token, as in the other laws.
        """
        x = np.asarray(x, dtype=float)
        reference = p.get("reference_params")
        reference = np.full_like(x, np.nan) if reference is None else np.asarray(reference, dtype=float)
        on = ~np.isnan(reference)
        if not np.any(on):
            return np.ones_like(x), np.zeros_like(x)
        N, _, _ = self.model_size(x, p)
        sigma = np.where(on, np.where(on, reference, 1.0) / N, 1.0)
        shrink = self.size_elasticity(p["efficiency"] * x, p) / x
        return sigma, np.where(on, -sigma * shrink, 0.0)


class LossOptimalLaw(_ChosenSizeLaw):
    name = "loss_optimal"
    description = "loss-optimal N, D from cumulative FLOPs (Hoffmann et al.'s closed form); M = 1/(L - E0)"
    params = {"efficiency": _EFFICIENCY, "trained0": _TRAINED0, "reference_params": _REFERENCE}

    def split(self, flops: Array, p: Params) -> tuple[Array, Array]:
        return loss_optimal_split(flops, HOFFMANN_FIT)

    def size_elasticity(self, flops: Array, p: Params) -> Array:
        return np.full(np.shape(flops), HOFFMANN_FIT.b / (HOFFMANN_FIT.a + HOFFMANN_FIT.b))


class InferenceAwareLaw(_ChosenSizeLaw):
    name = "inference_aware"
    description = ("inference-aware N, D for a model serving inference_tokens tokens (Sardana et al.); "
                   "M = 1/(L - E0)")
    params = {
        "efficiency": _EFFICIENCY,
        "inference_tokens": Param("inference_tokens", 1e12, "tokens each model serves in its lifetime D_inf",
                                  low=0.0, scale=(1e9, 1e14)),
        "trained0": _TRAINED0,
        "reference_params": _REFERENCE,
    }

    def split(self, flops: Array, p: Params) -> tuple[Array, Array]:
        return inference_split(flops, p["inference_tokens"], HOFFMANN_FIT)

    def size_elasticity(self, flops: Array, p: Params) -> Array:
        return inference_split_elasticity(flops, p["inference_tokens"], HOFFMANN_FIT)
