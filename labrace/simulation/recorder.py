"""Per-step records kept as preallocated arrays and turned into DataFrames once, at the end.

Recording a step copies a handful of arrays into row ``k`` of matrices; no per-lab Python objects are
created, which keeps data collection cheap for a thousand labs.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from labrace.simulation.columns import LAB_STEP, MARKET_STEP, values

LAB_COLUMNS = values(LAB_STEP)
MARKET_COLUMNS = values(MARKET_STEP)


class Recorder:
    """Stores lab and market variables for each step of a run."""

    def __init__(self, steps: int, names: Sequence[str], policies: Sequence[str], written: Sequence[str],
                 copies: Mapping[str, str | None] | None = None, filled: Sequence[str] = ()) -> None:
        """``written`` are the lab columns :meth:`record` is given each step, in that order; ``filled`` are
        lab columns the caller works out directly in the step's row (:meth:`row`) before recording it,
        which saves copying them. ``copies`` names lab columns that equal another column (or are zero,
        ``None``) in this run (profit is revenue, and the compute bill zero, when compute is free): they
        share that column's array instead of being written every step. Between them they must cover
        every lab column."""
        self.names = list(names)
        self.policies = list(policies)
        written = (*filled, *written)
        self.copies = {c: source for c, source in (copies or {}).items() if c not in written}
        missing = set(LAB_COLUMNS) - set(written) - set(self.copies)
        if missing:
            raise ValueError(f"lab columns neither written nor copied: {sorted(missing)}")
        # Rows past ``size`` are not written yet and hold arbitrary numbers: readers take ``[:size]``. (Filling
        # them first would write every array twice.) The written columns are slabs of one block: one
        # large allocation is mapped in a few pages (the kernel backs it with huge pages, or the allocator
        # reuses a freed one), where an allocation per column would fault in every 4 KiB page as rows
        # are first written, which cost large populations more than the writes themselves.
        self.t = np.empty(steps)
        block = np.empty((len(written), steps, len(names)))
        self.labs = {c: block[j] for j, c in enumerate(written)}
        zeros = np.broadcast_to(0.0, (steps, len(names)))  # read-only zeros that take no memory
        for c, source in self.copies.items():  # the same arrays, not copies: nothing more is written per step
            self.labs[c] = zeros if source is None else self.labs[source]
        self.market = {c: np.empty(steps) for c in MARKET_COLUMNS}
        self._rows = [self.labs[c] for c in written[len(filled):]] + [self.market[c] for c in MARKET_COLUMNS]
        self.size = 0

    def row(self, column: str) -> np.ndarray:
        """The row of lab column ``column`` for the step about to be recorded, to be filled in place."""
        return self.labs[column][self.size]

    def record(self, t: float, lab_values: Sequence[np.ndarray], market_values: Sequence[float]) -> None:
        """Store one step: the ``written`` lab columns' arrays and the market's ``MARKET_COLUMNS``, in order
        (the ``filled`` columns' rows already hold theirs)."""
        k = self.size
        self.t[k] = t
        for rows, value in zip(self._rows, (*lab_values, *market_values)):
            rows[k] = value
        self.size = k + 1

    def latest(self, column: str) -> float:
        """The last recorded market value (``nan`` before the first step)."""
        return float(self.market[column][self.size - 1]) if self.size else float("nan")

    def labs_frame(self) -> pd.DataFrame:
        """Long table: one row per step per lab, ordered by step then lab."""
        k, n = self.size, len(self.names)
        frame = {
            "t": np.repeat(self.t[:k], n),
            "lab": np.tile(self.names, k),
            "policy": np.tile(self.policies, k),
        }
        frame.update({c: self.labs[c][:k].ravel() for c in LAB_COLUMNS})
        return pd.DataFrame(frame)

    def market_frame(self) -> pd.DataFrame:
        k = self.size
        return pd.DataFrame({"t": self.t[:k], **{c: self.market[c][:k] for c in MARKET_COLUMNS}})

