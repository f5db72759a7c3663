"""Timing: medians over repeats, so one slow outlier (a page fault, a GC pass) cannot decide a comparison.

Single-process benchmarks are timed by the CPU time of this process (``time.process_time``), not the wall
clock: on a small shared machine other work steals the cores at random and makes wall-clock medians
meaningless, while the CPU time a computation needs does not depend on it. Parallel throughput (many
processes) is timed by the wall clock. Ratios between methods are only taken between figures from the
same run.
"""

from __future__ import annotations

import ctypes
import gc
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Timing:
    """Median and spread of ``repeats`` measurements, in seconds, and the last return value."""

    median: float
    best: float
    worst: float
    repeats: int
    value: Any = None

    def to_dict(self) -> dict[str, float]:
        return {"median_s": self.median, "best_s": self.best, "worst_s": self.worst, "repeats": self.repeats}


def measure(fn: Callable[[], Any], repeats: int, warmup: int = 1,
            clock: Callable[[], float] = time.process_time, collect_each: bool = False) -> Timing:
    """Time ``fn()`` ``repeats`` times after ``warmup`` untimed calls (imports, caches, first-call costs).

    Garbage is collected before the samples (before each one with ``collect_each``, for work whose
    objects only the cyclic collector frees, such as Mesa models) and not during them."""
    value = None
    for _ in range(warmup):
        value = fn()
    samples = []
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection triggered by earlier garbage is not the timed code's cost
    try:
        for _ in range(repeats):
            if collect_each:
                value = None
                gc.collect()
            start = clock()
            value = fn()
            samples.append(clock() - start)
    finally:
        if enabled:
            gc.enable()
    samples.sort()
    middle = len(samples) // 2
    median = samples[middle] if len(samples) % 2 else 0.5 * (samples[middle - 1] + samples[middle])
    return Timing(median, samples[0], samples[-1], len(samples), value)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
FIXED_THRESHOLD = 1 << 30


def reuse_freed_memory() -> bool:
    """Make glibc's allocator keep and reuse freed memory for the rest of this process; False where the C
    library is not glibc (nothing changes).

    By default glibc maps large arrays afresh and hands memory back to the system depending on what the
    process allocated and freed before, so the same computation pays a page fault per fresh 4 KiB page
    in one state of the heap and none in another: at a thousand labs that alone moved a run's time by
    more than the differences the model-step benchmark measures. With the thresholds fixed, arrays come
    from memory already mapped, and a timing measures the computation, not the allocator's history.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_TRIM_THRESHOLD, FIXED_THRESHOLD) and
                    libc.mallopt(M_MMAP_THRESHOLD, FIXED_THRESHOLD))
    except (OSError, AttributeError):
        return False
