"""Stopping a run whose numbers leave the floating-point range, naming the lab, the quantity and the time.

Every parameter can be valid while their combination is not representable: fast compute growth over a
long horizon, a large return to capability, repeated large breakthroughs. numpy then quietly produces
``inf`` and ``nan``, which would be written to ``labs.csv`` as ``Infinity`` and to ``summary.json`` as
``NaN``. :func:`check_step` looks at what a step produced and raises :class:`OutOfRangeError` at the
first step where something is no longer finite, so a run either holds finite numbers or fails loudly.
"""

from __future__ import annotations

import math

import numpy as np

from market.clearing import Clearing
from labs.state import LabState

# Per-lab quantities as (attribute of the lab state, what it is), in the order a step produces them.
CLEARED = (("revenue", "revenue rate R"), ("share", "market share s"))
ADVANCED = (("npv", "NPV"), ("capability", "capability M"), ("compute", "compute C"),
            ("trained", "cumulative training F"))
MARKET = (("tokens", "tokens offered T"), ("quality", "mean value per token (the sum of M^gamma K over T)"),
          ("pool", "revenue pool P T"), ("price", "price P"))


class OutOfRangeError(FloatingPointError):
    """A run produced a number outside the floating-point range; the message is one line saying where."""


def _first_bad_lab(state: LabState, quantities: tuple[tuple[str, str], ...], t: float) -> None:
    for attribute, meaning in quantities:
        values = getattr(state, attribute)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            lab = int(bad[0])
            raise OutOfRangeError(f"lab {state.names[lab]!r}: {meaning} left the floating-point range "
                                  f"({values[lab]}) at t = {t:g} years")


def check_step(state: LabState, clearing: Clearing, t: float, t_next: float) -> None:
    """Raise :class:`OutOfRangeError` if the step from ``t`` to ``t_next`` left any number non-finite.

    The market was cleared on the state at ``t``; the labs were advanced to ``t_next``. The usual case
    is decided by one sum: it is finite only if every term is (an inf or a nan anywhere makes it inf or
    nan), and a sum that merely overflows just sends the check to the per-quantity search, which finds
    nothing.
    """
    arrays = [getattr(state, attribute) for attribute, _ in CLEARED + ADVANCED]
    total = clearing.tokens + clearing.quality + clearing.pool + clearing.price
    total += float(np.add.reduce(np.concatenate(arrays)))  # one reduction: a sum per array costs twice as much
    if math.isfinite(total):
        return
    for attribute, meaning in MARKET:
        value = getattr(clearing, attribute)
        if not np.isfinite(value):
            lead = int(np.argmax(np.where(np.isfinite(state.capability), state.capability, np.inf)))
            raise OutOfRangeError(f"market: {meaning} left the floating-point range ({value}) at t = {t:g} years; "
                                  f"the most capable lab, {state.names[lead]!r}, has capability M = "
                                  f"{state.capability[lead]:.4g}")
    _first_bad_lab(state, CLEARED, t)
    _first_bad_lab(state, ADVANCED, t_next)
