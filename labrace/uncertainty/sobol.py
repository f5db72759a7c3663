"""Variance-based (Sobol) sensitivity indices from a Saltelli design, with bootstrap intervals.

Two independent base samples A and B (n x d, the two halves of one scrambled Sobol sequence in 2d
dimensions) and, for each input i, the matrix AB_i (A with column i taken from B) give n (d + 2) model
evaluations. With V the variance of f over A and B together:

- first order (Saltelli et al. 2010, table 2, eq. (b)): S_i = mean(f(B) (f(AB_i) - f(A))) / V,
  the share of the variance that input i explains alone;
- total (Jansen 1999): ST_i = mean((f(A) - f(AB_i))^2) / (2 V), the share that involves input i at all,
  its interactions included.

Inputs are unit numbers in [0, 1); a caller maps them through each parameter's quantile function, so the
indices are those of the output over the parameters' own distributions. :func:`ishigami` and
:data:`ISHIGAMI` (its analytic indices) verify the estimator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from labs.params import Param, ParameterError

BASE = Param("--base", 64, "base sample size n of the Saltelli design (a power of two); n (d + 2) runs",
             kind="int", low=4, high=2 ** 20)
BOOTSTRAP = 500
LEVEL = 0.95


def check_base(n: int, option: str = "--base") -> int:
    """``n`` if it is a power of two within :data:`BASE`'s range (a Sobol sequence is balanced only then)."""
    n = BASE.check(n, option)
    if n & (n - 1):
        below = 1 << (n.bit_length() - 1)
        raise ParameterError(option, f"{n} is not a power of two (a Sobol sequence is balanced only at powers of "
                             f"two)", f"a power of two such as {below} or {below * 2}")
    return n


def saltelli_design(d: int, n: int, seed: int) -> np.ndarray:
    """The unit inputs of the design, n (d + 2) x d: A, then B, then AB_1 ... AB_d (n rows each)."""
    points = qmc.Sobol(d=2 * d, scramble=True, seed=np.random.default_rng(seed)).random_base2(int(math.log2(n)))
    a, b = points[:, :d], points[:, d:]
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def _estimate(fa: np.ndarray, fb: np.ndarray, fab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S1 and ST (d x k) from f(A), f(B) (n x k) and f(AB_i) (d x n x k).

    The outputs are centred on the mean of f(A) and f(B) first: the first-order estimator's expectation
    does not depend on the mean, but its variance grows with it (an NPV's mean is many standard deviations
    from zero).
    """
    centre = np.concatenate([fa, fb]).mean(axis=0)
    fa, fb, fab = fa - centre, fb - centre, fab - centre
    variance = np.var(np.concatenate([fa, fb]), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.mean(fb * (fab - fa), axis=1) / variance
        total = 0.5 * np.mean((fa - fab) ** 2, axis=1) / variance
    return first, total


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total indices (d x k: input by output) with percentile bootstrap intervals."""

    first: np.ndarray
    total: np.ndarray
    first_interval: np.ndarray  # 2 x d x k: low, high
    total_interval: np.ndarray


def sobol_indices(outputs: np.ndarray, d: int, seed: int = 0, bootstrap: int = BOOTSTRAP) -> SobolIndices:
    """Indices of each column of ``outputs`` (n (d + 2) rows in :func:`saltelli_design`'s order, or 1-D).

    The intervals resample the n base rows (with their AB rows) ``bootstrap`` times (none: NaN intervals).
    """
    f = np.asarray(outputs, dtype=float)
    f = f[:, None] if f.ndim == 1 else f
    n = len(f) // (d + 2)
    if n * (d + 2) != len(f):
        raise ValueError(f"{len(f)} outputs do not fill a design of {d} inputs")
    blocks = f.reshape(d + 2, n, -1)
    fa, fb, fab = blocks[0], blocks[1], blocks[2:]
    first, total = _estimate(fa, fb, fab)
    rng = np.random.default_rng(seed)
    draws_first, draws_total = [], []
    for _ in range(bootstrap):
        rows = rng.integers(0, n, n)
        s1, st = _estimate(fa[rows], fb[rows], fab[:, rows])
        draws_first.append(s1)
        draws_total.append(st)
    if not bootstrap:  # no intervals asked for
        missing = np.full((2, *first.shape), np.nan)
        return SobolIndices(first, total, missing, missing.copy())
    tail = (1 - LEVEL) / 2
    quantiles = [tail, 1 - tail]
    return SobolIndices(first, total, np.quantile(np.array(draws_first), quantiles, axis=0),
                        np.quantile(np.array(draws_total), quantiles, axis=0))


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami function of x (rows in [-pi, pi]^3): sin x1 + a sin^2 x2 + b x3^4 sin x1."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The Ishigami function's analytic first-order and total indices (Ishigami and Homma 1990)."""
    pi4, pi8 = math.pi ** 4, math.pi ** 8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi8 * (1 / 18 - 1 / 50)
    variance = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / variance, np.array([v1 + v13, v2, v13]) / variance


ISHIGAMI = ishigami_indices()
"""(S1, ST) at a = 7, b = 0.1: (0.3139, 0.4424, 0) and (0.5576, 0.4424, 0.2437)."""
