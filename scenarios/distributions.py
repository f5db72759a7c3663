"""Uncertain parameters: a number in a scenario file given as a probability distribution.

Where a scenario file holds a number it may instead hold an inline table::

    compute0 = { distribution = "lognormal", p5 = 80.0, median = 100.0, p95 = 130.0 }
    growth = { distribution = "uniform", low = 0.05, high = 0.3 }
    discount = { distribution = "triangular", low = 0.03, mode = 0.05, high = 0.1 }

Every distribution is a monotone map ``ppf`` from the unit interval to values, so one sampler (spawned
random numbers for Monte Carlo, a Sobol design for sensitivity analysis, a Latin hypercube for tournament
sweeps) serves every kind, and a draw is a pure function of its unit number.

**Lognormal from three quantiles.** A lognormal has log-symmetric quantiles, ``ln(p95/median) =
ln(median/p5) = 1.645 sigma``; published ranges often are not. The fit keeps all three numbers exactly:
``ln X = ln(median) + sigma_low Z`` below the median and ``+ sigma_high Z`` above it (a two-piece, or
split, lognormal), with ``sigma_low = ln(median/p5) / z95`` and ``sigma_high = ln(p95/median) / z95``. When
the range is log-symmetric the two sigmas are equal and this is the ordinary lognormal. The density jumps
at the median when they differ; the distribution function is continuous, which is all sampling needs.

**Bounded support.** The lognormal's tails are cut at the quantiles 1e-4 and 1 - 1e-4 (:data:`TAIL`), so
every distribution has a known, finite lowest and highest value. Those are checked against the
parameter's own range when the file is read, so no sample can fall outside it (the cut moves the p5 and
p95 of the draws by about 1e-4 of their level, far below any published range's precision).

The value a scenario runs with when it is not sampled (``labrace run`` without ``--samples``) is each
distribution's median.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Mapping

import numpy as np
from scipy.special import ndtri

from labs.params import Param, ParameterError, did_you_mean

TAIL = 1e-4
"""Probability cut from each tail of an unbounded distribution, so that its support is finite."""
Z95 = float(ndtri(0.95))
"""The standard normal's 95th percentile: a lognormal's p5 and p95 lie this many sigmas from its median."""
KEY = "distribution"
"""The key that marks an inline table as a distribution rather than a number."""

_NUMBER = Param("value", 0.0, "a distribution's parameter")


@dataclass(frozen=True)
class Distribution:
    """A distribution on the real line given by its quantile function (``ppf``) on [0, 1]."""

    kind: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()

    def ppf(self, unit: np.ndarray) -> np.ndarray:
        """Values at the unit numbers ``unit`` (each in [0, 1]); monotone non-decreasing."""
        raise NotImplementedError

    @property
    def nominal(self) -> float:
        """The median: the value a scenario runs with when it is not sampled."""
        return float(self.ppf(np.array([0.5]))[0])

    @property
    def support(self) -> tuple[float, float]:
        """The lowest and highest value any draw can take."""
        low, high = self.ppf(np.array([0.0, 1.0]))
        return float(low), float(high)

    def to_dict(self) -> dict[str, Any]:
        """The inline table that gives this distribution in a file."""
        return {KEY: self.kind, **{key: getattr(self, key) for key in self.keys}}

    def describe(self) -> str:
        inner = ", ".join(f"{key}={getattr(self, key):g}" for key in self.keys)
        return f"{self.kind}({inner})"


@dataclass(frozen=True)
class Uniform(Distribution):
    kind: ClassVar[str] = "uniform"
    keys: ClassVar[tuple[str, ...]] = ("low", "high")
    low: float
    high: float

    def check(self, path: str) -> None:
        if not self.low < self.high:
            raise ParameterError(f"{path}.high", f"high {self.high:g} is not above low {self.low:g}",
                                 "low < high")

    def ppf(self, unit: np.ndarray) -> np.ndarray:
        return self.low + np.asarray(unit, dtype=float) * (self.high - self.low)


@dataclass(frozen=True)
class Triangular(Distribution):
    kind: ClassVar[str] = "triangular"
    keys: ClassVar[tuple[str, ...]] = ("low", "mode", "high")
    low: float
    mode: float
    high: float

    def check(self, path: str) -> None:
        if not self.low < self.high:
            raise ParameterError(f"{path}.high", f"high {self.high:g} is not above low {self.low:g}",
                                 "low < high")
        if not self.low <= self.mode <= self.high:
            raise ParameterError(f"{path}.mode", f"mode {self.mode:g} is outside [{self.low:g}, {self.high:g}]",
                                 "low <= mode <= high")

    def ppf(self, unit: np.ndarray) -> np.ndarray:
        u = np.asarray(unit, dtype=float)
        a, c, b = self.low, self.mode, self.high
        split = (c - a) / (b - a)
        below = a + np.sqrt(np.clip(u, 0.0, split) * (b - a) * (c - a))
        above = b - np.sqrt(np.clip(1.0 - u, 0.0, 1.0 - split) * (b - a) * (b - c))
        return np.where(u < split, below, above)


@dataclass(frozen=True)
class Lognormal(Distribution):
    """The (split) lognormal through p5, median and p95; see the module docstring."""

    kind: ClassVar[str] = "lognormal"
    keys: ClassVar[tuple[str, ...]] = ("p5", "median", "p95")
    p5: float
    median: float
    p95: float

    def check(self, path: str) -> None:
        if not self.p5 > 0:
            raise ParameterError(f"{path}.p5", f"p5 {self.p5:g} is not positive (a lognormal's scale is positive)",
                                 "0 < p5 < median < p95")
        if not self.p5 < self.median:
            raise ParameterError(f"{path}.median", f"median {self.median:g} is not above p5 {self.p5:g}",
                                 "0 < p5 < median < p95")
        if not self.median < self.p95:
            raise ParameterError(f"{path}.p95", f"p95 {self.p95:g} is not above the median {self.median:g}",
                                 "0 < p5 < median < p95")

    @property
    def sigmas(self) -> tuple[float, float]:
        """(sigma below the median, sigma above it) of ln X."""
        return math.log(self.median / self.p5) / Z95, math.log(self.p95 / self.median) / Z95

    def ppf(self, unit: np.ndarray) -> np.ndarray:
        z = ndtri(TAIL + np.asarray(unit, dtype=float) * (1.0 - 2.0 * TAIL))
        low, high = self.sigmas
        return self.median * np.exp(np.where(z < 0, low, high) * z)


KINDS: dict[str, type] = {cls.kind: cls for cls in (Lognormal, Uniform, Triangular)}


def is_distribution(value: Any) -> bool:
    """True for an inline table that declares a distribution (it has a ``distribution`` key)."""
    return isinstance(value, Mapping) and KEY in value


def allowed_tables() -> str:
    return "; ".join(f"{{ {KEY} = {kind!r}, " + ", ".join(f"{k} = ..." for k in cls.keys) + " }"
                     for kind, cls in KINDS.items())


def parse_distribution(table: Mapping[str, Any], path: str) -> Distribution:
    """The distribution an inline table declares; errors name ``path`` and the key at fault."""
    kind = table[KEY]
    if not isinstance(kind, str) or kind not in KINDS:
        raise ParameterError(f"{path}.{KEY}", f"unknown distribution {kind!r}{did_you_mean(kind, KINDS)}",
                             "one of " + ", ".join(repr(k) for k in KINDS))
    cls = KINDS[kind]
    for key in table:
        if key != KEY and key not in cls.keys:
            raise ParameterError(f"{path}.{key}", f"not a parameter of a {kind} distribution"
                                 f"{did_you_mean(key, cls.keys)}", ", ".join(cls.keys))
    values = {}
    for key in cls.keys:
        if key not in table:
            raise ParameterError(f"{path}.{key}", f"a {kind} distribution needs {key}", ", ".join(cls.keys))
        values[key] = _NUMBER.check(table[key], f"{path}.{key}")
    distribution = cls(**values)
    distribution.check(path)
    return distribution
