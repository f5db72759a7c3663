"""A tensor grid of states, and interpolation on it that is linear in the grid values.

A Markov strategy or value function is stored by its values at the grid points and read anywhere else by
local Lagrange interpolation: along each axis the ``order`` nodes nearest the point (shifted inwards at the
edges), combined as a tensor product. ``order=4`` (cubic) reproduces every polynomial of degree three per
axis exactly, so the quadratic value functions of linear-quadratic games carry no interpolation error at
all, and smooth ones (the logarithms of the fish war) converge at fourth order in the spacing;
``order=2`` is multilinear interpolation, monotone and never overshooting.

Interpolation is a weighted sum of grid values with weights that depend only on where the points are,
which is why :meth:`StateGrid.matrix` can hand the same weights out as a sparse matrix: evaluating a
fixed strategy profile is then a sparse linear recursion, with no interpolation inside the loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import numpy as np
from scipy import sparse

from policies.base import Array


@dataclass(frozen=True)
class Stencil:
    """For ``P`` points, the flat indices of the grid points each one reads and their weights, (P, order^d)."""

    indices: Array
    weights: Array

    def apply(self, values: Array) -> Array:
        """Interpolate ``values`` (..., G) at the stencil's points, giving (..., P)."""
        return np.sum(values[..., self.indices] * self.weights, axis=-1)


@dataclass(frozen=True)
class StateGrid:
    """The tensor product of increasing 1-D ``axes``; ``points`` is (G, d), the last axis varying fastest."""

    axes: tuple[Array, ...]
    order: int = 4
    points: Array = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        axes = tuple(np.asarray(axis, dtype=float) for axis in self.axes)
        if self.order not in (2, 4):
            raise ValueError(f"order must be 2 (multilinear) or 4 (cubic), not {self.order}")
        for axis in axes:
            if axis.ndim != 1 or axis.size < self.order or np.any(np.diff(axis) <= 0):
                raise ValueError(f"each axis must be increasing with at least {self.order} nodes")
        object.__setattr__(self, "axes", axes)
        mesh = np.meshgrid(*axes, indexing="ij")
        object.__setattr__(self, "points", np.stack([m.ravel() for m in mesh], axis=-1))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def lower(self) -> Array:
        return np.array([axis[0] for axis in self.axes])

    @property
    def upper(self) -> Array:
        return np.array([axis[-1] for axis in self.axes])

    def stencil(self, points: Array) -> Stencil:
        """Where and how much each of ``points`` (P, d) reads from the grid; outside it, the edge polynomial."""
        points = np.atleast_2d(points)
        strides = np.cumprod((1,) + self.shape[:0:-1])[::-1]
        d, k = len(self.axes), self.order
        flat = np.zeros((points.shape[0],) + (k,) * d, dtype=np.intp)
        weights = np.ones((points.shape[0],) + (k,) * d)
        for a, (axis, stride) in enumerate(zip(self.axes, strides)):
            index, weight = _axis_stencil(axis, points[:, a], k)
            shape = (points.shape[0],) + tuple(k if b == a else 1 for b in range(d))
            flat = flat + (index * stride).reshape(shape)
            weights = weights * weight.reshape(shape)
        return Stencil(flat.reshape(points.shape[0], -1), weights.reshape(points.shape[0], -1))

    def interpolate(self, values: Array, points: Array) -> Array:
        """Values (..., G) on the grid read at ``points`` (P, d), giving (..., P)."""
        return self.stencil(points).apply(np.asarray(values))

    def smoother(self, degree: int) -> Array:
        """The (G, G) least-squares projection of grid values onto tensor Chebyshev polynomials of ``degree``.

        Applied to a strategy it removes the grid-scale wiggles that a game amplifies (a rival's value
        depends on the *slope* of one's strategy), while keeping every polynomial of that degree per axis,
        so a linear equilibrium rule passes through unchanged.
        """
        if not 0 <= degree < min(self.shape):
            raise ValueError(f"the degree must be below the number of nodes of every axis, not {degree}")
        scaled = 2 * (self.points - self.lower) / (self.upper - self.lower) - 1
        basis = np.ones((self.size, 1))
        for a in range(len(self.axes)):
            axis_basis = np.polynomial.chebyshev.chebvander(scaled[:, a], degree)
            basis = (basis[:, :, None] * axis_basis[:, None, :]).reshape(self.size, -1)
        return basis @ np.linalg.pinv(basis)

    def matrix(self, points: Array) -> sparse.csr_array:
        """The (P, G) sparse matrix ``W`` with ``W @ values == interpolate(values, points)``."""
        s = self.stencil(points)
        rows = np.repeat(np.arange(s.indices.shape[0]), s.indices.shape[1])
        return sparse.csr_array((s.weights.ravel(), (rows, s.indices.ravel())), shape=(s.indices.shape[0], self.size))


def _axis_stencil(axis: Array, x: Array, k: int) -> tuple[Array, Array]:
    """The ``k`` nodes of ``axis`` around each ``x`` and their Lagrange weights, both (P, k).

    Weight ``m`` is the product over the other nodes ``l`` of ``(x - node_l) / (node_m - node_l)``, formed
    for all pairs at once (the diagonal factors set to one).
    """
    start = np.clip(np.searchsorted(axis, x, side="right") - k // 2, 0, axis.size - k)
    index = start[:, None] + np.arange(k)
    nodes = axis[index]
    off = ~np.eye(k, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = (x[:, None, None] - nodes[:, None, :]) / (nodes[:, :, None] - nodes[:, None, :])
    return index, np.prod(np.where(off, factors, 1.0), axis=2)
