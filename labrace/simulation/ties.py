"""Ranking labs by NPV when some of them are equal to rounding.

Identical labs in a symmetric market earn the same NPV up to the last bits of floating-point arithmetic;
naming one of them the winner because it came first in the file would be a claim the model does not
make. NPVs within a relative ``TIE_RTOL`` of the best of their group count as equal: they share the
better rank, and a tie at the top is reported as such.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

TIE_RTOL = 1e-9
"""Relative difference below which two NPVs are the same number computed along different paths."""


def tie_ranks(npv: Sequence[float]) -> np.ndarray:
    """Rank 1 for the highest NPV; NPVs within ``TIE_RTOL`` of their group's best share its rank."""
    values = np.asarray(npv, dtype=float)
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(values.size, dtype=int)
    best = np.nan
    rank = 0
    for place, index in enumerate(order, start=1):
        if not np.isclose(values[index], best, rtol=TIE_RTOL, atol=0.0):
            best, rank = values[index], place
        ranks[index] = rank
    return ranks


def leaders(names: Sequence[str], npv: Sequence[float]) -> list[str]:
    """The labs ranked first (more than one when tied), in their order in the scenario."""
    ranks = tie_ranks(npv)
    return [str(name) for name, rank in zip(names, ranks) if rank == 1]


def winner_text(names: Sequence[str]) -> str:
    """``"a"`` for one leader, ``"tie between a and b"`` (or ``"a, b and c"``) for several."""
    if len(names) == 1:
        return names[0]
    return "tie between " + ", ".join(names[:-1]) + " and " + names[-1]
