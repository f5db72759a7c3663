"""Erdil's training–inference parity (seed 001).

If ``b`` orders of magnitude of training compute trade for ``a`` orders of magnitude of inference compute
at constant performance, the cost-minimising training share is ``a / (a + b)``. The presets are the
maximum tradeoff spans of Villalobos & Atkinson (2023) as quoted by Erdil: (training OOM, inference OOM).
"""

from __future__ import annotations

import numpy as np

from labs.params import Param
from policies.base import Array, Observation, Policy
from policies.registry import register

# technique: (span in training OOM = b, span in inference OOM = a)
PRESETS: dict[str, tuple[float, float]] = {
    "rule_of_thumb": (1.0, 1.0),
    "scaling_policy": (1.2, 0.7),
    "mcts": (1.6, 1.6),
    "pruning": (1.0, 1.0),
    "repeated_sampling_cheap": (3.0, 6.0),
    "repeated_sampling_expensive": (1.0, 1.45),
}


def parity_share(inference_oom: float, training_oom: float) -> float:
    """Training share ``a / (a + b)`` for a trade of ``b`` training OOM against ``a`` inference OOM."""
    return inference_oom / (inference_oom + training_oom)


@register
class ErdilPolicy(Policy):
    name = "erdil"
    description = "Training share a/(a+b) from the training-inference compute tradeoff (Erdil parity)."
    params = {
        "preset": Param("preset", "custom", "tradeoff technique (custom: use a and b)", kind="choice",
                        choices=("custom", *PRESETS)),
        "a": Param("a", 1.0, "orders of magnitude of inference compute saved", low=0.0, low_open=True),
        "b": Param("b", 1.0, "orders of magnitude of training compute paid", low=0.0, low_open=True),
    }

    @property
    def share(self) -> float:
        if self.p["preset"] == "custom":
            return parity_share(self.p["a"], self.p["b"])
        training, inference = PRESETS[self.p["preset"]]
        return parity_share(inference, training)

    def decide(self, obs: Observation, labs: Array) -> Array:
        return np.full(labs.size, self.share)
