"""Wall-clock measurement: medians over repeats, so one slow outlier (a page fault, a GC pass) cannot
decide a comparison. Ratios between methods are only ever taken between figures from the same process.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Timing:
    """Median and spread of ``repeats`` wall-clock measurements, in seconds, and the last return value."""

    median: float
    best: float
    worst: float
    repeats: int
    value: Any = None

    def to_dict(self) -> dict[str, float]:
        return {"median_s": self.median, "best_s": self.best, "worst_s": self.worst, "repeats": self.repeats}


def measure(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> Timing:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls (imports, caches, first-call costs)."""
    value = None
    for _ in range(warmup):
        value = fn()
    samples = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - start)
    samples.sort()
    middle = len(samples) // 2
    median = samples[middle] if len(samples) % 2 else 0.5 * (samples[middle - 1] + samples[middle])
    return Timing(median, samples[0], samples[-1], len(samples), value)
