"""The feedback package's building blocks, each against an independent answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from policies.feedback.grid import StateGrid
from policies.feedback.maximise import maximise


def cubic(points: np.ndarray) -> np.ndarray:
    return 1 + points[:, 0] ** 3 - 2 * points[:, 0] * points[:, 1] ** 2 + points[:, 1] ** 3


def test_cubic_interpolation_reproduces_cubics_even_outside_the_grid():
    grid = StateGrid((np.linspace(0, 1, 7), np.geomspace(0.1, 2, 9)))
    points = np.random.default_rng(0).uniform([-0.1, 0.05], [1.1, 2.2], (200, 2))
    values = cubic(grid.points)
    assert np.max(np.abs(grid.interpolate(values, points) - cubic(points))) < 1e-12
    assert np.max(np.abs(grid.matrix(points) @ values - cubic(points))) < 1e-12


def test_multilinear_interpolation_is_exact_on_bilinear_functions_and_hits_the_nodes():
    grid = StateGrid((np.linspace(0, 1, 5), np.linspace(-1, 1, 4)), order=2)
    bilinear = lambda p: 2 + p[:, 0] - 3 * p[:, 1] + p[:, 0] * p[:, 1]  # noqa: E731
    points = np.random.default_rng(1).uniform([0, -1], [1, 1], (100, 2))
    assert np.max(np.abs(grid.interpolate(bilinear(grid.points), points) - bilinear(points))) < 1e-12
    values = np.random.default_rng(2).normal(size=grid.size)
    assert np.allclose(grid.interpolate(values, grid.points), values)


def test_the_smoother_keeps_polynomials_of_its_degree():
    grid = StateGrid((np.linspace(0, 1, 8), np.linspace(2, 3, 6)))
    values = grid.points[:, 0] ** 2 * grid.points[:, 1]
    assert np.allclose(grid.smoother(2) @ values, values)
    assert not np.allclose(grid.smoother(1) @ values, values)
    with pytest.raises(ValueError):
        grid.smoother(6)


def test_the_maximiser_agrees_with_brent_on_concave_problems_and_finds_corners():
    targets = np.linspace(-1, 2, 300)
    objective = lambda a: -(a - targets[:, None]) ** 2 + 0.01 * np.cos(5 * a)  # noqa: E731
    found = maximise(objective, np.zeros(targets.size), np.ones(targets.size))
    reference = np.array([minimize_scalar(lambda a, t=t: (a - t) ** 2 - 0.01 * np.cos(5 * a), bounds=(0, 1),
                                          method="bounded", options={"xatol": 1e-12}).x for t in targets])
    assert np.max(np.abs(found.argmax - reference)) < 1e-6
    assert np.all(found.argmax[targets < -0.1] == 0.0) and np.all(found.argmax[targets > 1.1] == 1.0)
