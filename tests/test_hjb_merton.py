"""The HJB scheme against Merton's portfolio problem, whose solution is known in closed form.

An investor with CRRA utility ``W^(1 - gamma) / (1 - gamma)`` of terminal wealth holds a share ``pi`` in
one risky asset (drift ``mu``, volatility ``sigma``) and the rest at the riskless rate ``r``. In
``x = ln W`` the HJB equation is ``v_t + max_pi [(r + pi (mu - r) - pi^2 sigma^2 / 2) v_x +
pi^2 sigma^2 / 2 v_xx] = 0``; the optimal share is the constant ``(mu - r) / (gamma sigma^2)`` and
``V(t, W) = f(t) W^(1 - gamma) / (1 - gamma)`` with ``f = exp((1 - gamma) (r + (mu - r)^2 / (2 gamma
sigma^2)) (T - t))``. With windfalls that multiply wealth by ``1 + b`` at Poisson rate ``nu`` (a fixed
shift of ``x``, which exercises the scheme's nonlocal jump term) the share is unchanged and ``ln f``
gains ``nu ((1 + b)^(1 - gamma) - 1) (T - t)``.

The drift is split by sign as the scheme requires (``r + pi (mu - r) >= 0`` forward,
``pi^2 sigma^2 / 2`` backward), and the discrete Hamiltonian is a concave quadratic in ``pi`` whose
maximiser is ``(mu - r) D+ / (sigma^2 (D- - D2))``. The boundary slope ``1 - gamma`` is the CRRA value's
own, so the grid's ends add no error and what is measured is the scheme's truncation error alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from policies.stochastic.scheme import Coefficients, Differences, solve_hjb

R, MU, SIGMA, GAMMA, HORIZON = 0.03, 0.10, 0.30, 2.0, 1.0
SHARE = (MU - R) / (GAMMA * SIGMA ** 2)
MAX_SHARE = 2.0


class Merton:
    """Merton's problem on ``x = ln W`` in ``[-1, 1]`` with ``nodes`` grid points (a scheme problem)."""

    rate = 0.0

    def __init__(self, nodes: int, jump_rate: float = 0.0, jump_size: float = 0.0) -> None:
        self.y = np.linspace(-1.0, 1.0, nodes)
        self.jump_rate = jump_rate
        self.jump_shift = float(np.log1p(jump_size))
        self.slope_low = self.slope_high = 1.0 - GAMMA

    def terminal(self) -> np.ndarray:
        return np.exp((1.0 - GAMMA) * self.y) / (1.0 - GAMMA)

    def best_control(self, t: float, d: Differences) -> np.ndarray:
        concavity = SIGMA ** 2 * (d.backward - d.second)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(concavity > 0, (MU - R) * d.forward / concavity, MAX_SHARE)
        return np.clip(share, 0.0, MAX_SHARE)

    def coefficients(self, t: float, share: np.ndarray) -> Coefficients:
        risk = 0.5 * share ** 2 * SIGMA ** 2
        return Coefficients(np.zeros_like(self.y), R + share * (MU - R), risk, risk)


def exact_value(jump_rate: float = 0.0, jump_size: float = 0.0) -> float:
    """V(0, W = 1)."""
    growth = (1.0 - GAMMA) * (R + (MU - R) ** 2 / (2.0 * GAMMA * SIGMA ** 2))
    windfalls = jump_rate * ((1.0 + jump_size) ** (1.0 - GAMMA) - 1.0)
    return np.exp((growth + windfalls) * HORIZON) / (1.0 - GAMMA)


def solve(nodes: int, steps: int, **jumps: float) -> tuple[float, float]:
    """The scheme's V(0, W = 1) and share there."""
    solution = solve_hjb(Merton(nodes, **jumps), 0.0, HORIZON, steps)
    return float(solution.value_at(0.0)), float(solution.control_at(0.0, 0.0))


def errors(levels: list[tuple[int, int]], **jumps: float) -> tuple[np.ndarray, np.ndarray]:
    exact = exact_value(**jumps)
    results = np.array([solve(n, s, **jumps) for n, s in levels])
    return np.abs(results[:, 0] / exact - 1.0), np.abs(results[:, 1] - SHARE)


def orders(e: np.ndarray) -> np.ndarray:
    return np.log2(e[:-1] / e[1:])


REFINEMENT = [(20 * 2 ** k + 1, 10 * 2 ** k) for k in range(5)]  # h = 0.1 ... 0.00625, dt = h


def test_value_and_share_converge_to_the_closed_form_at_first_order():
    value_error, share_error = errors(REFINEMENT)
    # Measured: value 3.1e-3, 1.6e-3, 8.1e-4, 4.1e-4, 2.1e-4; share 2.8e-2 ... 1.8e-3 (pi* = 0.3889).
    assert np.all(np.abs(orders(value_error) - 1.0) < 0.05)
    assert np.all(np.abs(orders(share_error) - 1.0) < 0.05)
    assert value_error[-1] < 3e-4 and share_error[-1] < 2.5e-3


def test_time_and_space_errors_are_each_first_order():
    """Successive differences at a fixed grid (or step) cancel the other variable's error term."""
    in_time = np.array([solve(161, s)[0] for s in (10, 20, 40, 80)])
    in_space = np.array([solve(n, 200)[0] for n in (21, 41, 81, 161)])
    for values in (in_time, in_space):
        assert np.all(np.abs(orders(np.abs(np.diff(values))) - 1.0) < 0.1)


def test_the_jump_term_converges_to_the_windfall_closed_form():
    jumps = {"jump_rate": 0.8, "jump_size": 0.25}  # ln 1.25 is no multiple of any grid spacing
    value_error, share_error = errors(REFINEMENT[1:], **jumps)
    # Measured: value 9.0e-3, 4.5e-3, 2.3e-3, 1.1e-3 (the explicit jump term adds an O(nu dt) error).
    assert np.all(np.abs(orders(value_error) - 1.0) < 0.1)
    assert value_error[-1] < 1.5e-3 and share_error[-1] < 2.5e-3
    # The windfalls move the value by far more than the scheme's error: the jump term is doing work.
    assert abs(exact_value(**jumps) / exact_value() - 1.0) > 100 * value_error[-1]
