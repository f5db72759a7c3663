"""The contract every capability law fulfils: how training compute turns into capability.

A law is a stateless object that works on whole arrays of labs at once; ``p`` maps its parameter names
to per-lab arrays (or scalars). Each law has a *planning state* ``x``, the variable the optimal-control
solver integrates, and maps it to capability ``M``. The contract:

* ``rate`` and ``drate_dalpha`` depend on the training share and compute only, never on the state: the
  forward–backward sweep integrates the state and costate as plain integrals, which needs exactly that.
* A lab's breakthroughs (capability jumps from shocks) are an explicit *multiplier* ``m``: capability is
  ``capability(x, p, m)``. A law whose state already carries the jumps (``power``, where ``x = M``)
  returns 1 from :meth:`multiplier`; for the others ``m = M / capability(x, p, 1)``. Planning, advancing
  and forecasting all take it from :meth:`multiplier`, so there is one definition of what a
  breakthrough does.
* ``gain`` and ``advance`` are exact over a step with compute ``C(s) = C exp(g s)`` at constant alpha.

Closed forms are optional methods: a law without one leaves the attribute ``None``, and solvers and
policies ask the law instead of testing its type:

* :meth:`separable_argmax`: the maximiser of the Hamiltonian ``a (1 - alpha) C + lambda rate(alpha, C)``,
  the form it takes when revenue is ``omega M^gamma (1 - alpha) C`` (labs that cannot affect each other);
* :meth:`training_elasticity`: the returns to training compute the steady-state formulas use;
* ``balanced_growth``: whether the balanced-growth derivation (a power-law rate of ``x = M``) applies;
* :meth:`serving`: tokens per unit of serving compute and their derivative in ``x``, for a law whose
  model size changes what a unit of compute serves (absent: one token per unit, ``K = (1 - alpha) C``).
* :meth:`kinks`: the planning states where ``dcapability_dx`` jumps (a regime change such as a binding
  data cap), which the solver's quadrature integrates across exactly instead of smearing.
* :meth:`rate_power`: the rate as a power of alpha, which lets the planner evaluate the Hamiltonian's
  slope in compiled code (``policies.kernels``) instead of numpy.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, ClassVar, Mapping

import numpy as np

from labs.params import Param

Array = np.ndarray
Params = Mapping[str, Array | float]


def growth_integral(rate: Array | float, dt: Array | float) -> Array:
    """``(exp(rate dt) - 1) / rate``: the integral of ``exp(rate s)`` over ``[0, dt]``, stable at rate 0."""
    rate = np.asarray(rate, dtype=float)
    x = rate * dt
    if np.abs(x).min(initial=np.inf) >= 1e-12:  # the model's every step: skip the series branch, same numbers
        return np.expm1(x) / rate
    small = np.abs(x) < 1e-12
    safe = np.where(small, 1.0, rate)
    return np.where(small, dt * (1.0 + 0.5 * rate * dt), np.expm1(safe * dt) / safe)


class CapabilityLaw(ABC):
    """Interface of a vectorised capability law (see the module docstring for the contract)."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    params: ClassVar[Mapping[str, Param]] = {}
    balanced_growth: ClassVar[bool] = False

    @abstractmethod
    def initial_state(self, p: Params) -> tuple[Array, Array]:
        """Initial capability ``M`` and cumulative training compute ``F``."""

    @abstractmethod
    def planning_state(self, M: Array, F: Array) -> Array:
        """The state ``x`` the optimal-control solver integrates for these labs."""

    @abstractmethod
    def capability(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        """Capability ``M`` at planning state ``x`` for a lab whose breakthroughs multiply it by ``multiplier``."""

    @abstractmethod
    def dcapability_dx(self, x: Array, p: Params, multiplier: Array | float = 1.0) -> Array:
        """``dM/dx``: what a unit of planning state is worth in capability (enters the costate)."""

    @abstractmethod
    def rate(self, alpha: Array, C: Array, p: Params) -> Array:
        """``dx/dt`` at training share ``alpha`` and compute ``C`` (independent of the state)."""

    @abstractmethod
    def drate_dalpha(self, alpha: Array, C: Array, p: Params) -> Array:
        """``d(dx/dt)/dalpha``: the marginal product of training (enters dH/dalpha)."""

    @abstractmethod
    def gain(self, alpha: Array, C: Array, g: Array | float, dt: Array | float, p: Params) -> Array:
        """Exact change of the planning state over ``dt`` at constant ``alpha``, ``C(s) = C exp(g s)``."""

    @abstractmethod
    def gain_dalpha(self, alpha: Array, C: Array, g: Array | float, dt: Array | float, p: Params) -> Array:
        """Derivative of :meth:`gain` with respect to ``alpha``."""

    def multiplier(self, M: Array, F: Array, p: Params) -> Array:
        """The breakthrough multiplier of labs at capability ``M`` with cumulative training ``F``."""
        return M / self.capability(self.planning_state(M, F), p)

    def advance(self, M: Array, F: Array, alpha: Array, C: Array, g: Array, dt: float,
                p: Params) -> tuple[Array, Array]:
        """Capability and cumulative training after ``dt`` at constant ``alpha``, ``C(s) = C exp(g s)`` (exact).

        Breakthroughs carry over: the multiplier is the same before and after the step. Capability is
        scaled by the step's growth factor ``capability(x') / capability(x)`` rather than rebuilt from the
        multiplier, so a lab that does not train keeps its capability exactly and one that trains never
        loses any to rounding.
        """
        x = self.planning_state(M, F)
        x_new = x + self.gain(alpha, C, g, dt, p)
        return M * (self.capability(x_new, p) / self.capability(x, p)), F + alpha * C * growth_integral(g, dt)

    def stepper(self, g: Array, dt: float, p: Params) -> Callable[[Array, Array, Array, Array], tuple[Array, Array]]:
        """:meth:`advance` with the compute growth ``g``, the step ``dt`` and the parameters fixed, as a function
        of ``(M, F, alpha, C)``: what a run calls every step. A law may compute once here what depends on
        those alone (its growth integrals); the numbers must be exactly those of :meth:`advance`."""
        return lambda M, F, alpha, C: self.advance(M, F, alpha, C, g, dt, p)

    # Optional closed forms: a law that has one defines a method of the same name (see the module docstring).
    rate_concave: ClassVar[bool] = False
    """Optional property a law may declare: ``rate(alpha, C)`` is concave in alpha. Planning solvers use it
    to know a Hamiltonian has a single maximum in alpha (see ``HamiltonianAt.unimodal``); False, the safe
    default, keeps their global scan."""
    separable_argmax: ClassVar[Callable[..., Array] | None] = None
    """``separable_argmax(serving_value, costate, C, p)``: argmax over alpha in [0, 1] of
    ``serving_value (1 - alpha) C + costate rate(alpha, C)``, where ``serving_value`` is the discounted
    revenue of one unit of serving compute, ``e^{-rho t} omega M^gamma``."""
    training_elasticity: ClassVar[Callable[..., Array] | None] = None
    """``training_elasticity(M, F, p)``: the returns to training compute at the labs' state, as the
    steady-state formulas use them."""
    serving: ClassVar[Callable[..., tuple[Array, Array]] | None] = None
    """``serving(x, p)``: ``(sigma, dsigma/dx)``, the tokens one unit of serving compute yields at planning
    state ``x`` and their derivative, so that serving capacity is ``K = (1 - alpha) C sigma`` (model.md §6).
    Solvers count ``dR/dsigma dsigma/dx`` in the costate; a law without it serves one token per unit."""
    rate_power: ClassVar[Callable[..., tuple[Array, Array]] | None] = None
    """``rate_power(C, p)``: ``(coefficient, exponent)``, both free of alpha, with ``rate(alpha, C) =
    coefficient alpha^exponent`` (so ``drate_dalpha = coefficient exponent alpha^(exponent - 1)``)."""
    kinks: ClassVar[Callable[..., Array] | None] = None
    """``kinks(p)``: the planning-state values (scalar law parameters) at which ``dcapability_dx`` jumps.
    A quadrature straddling such a jump is only first-order accurate and, worse, its error depends on where
    the jump falls between grid points, so the costate would be a non-smooth function of the control; the
    sweep locates each crossing and integrates either side of it separately. ``None``: no kinks."""


def serving_factor(law: CapabilityLaw, x: Array, p: Params) -> Array | float:
    """Tokens per unit of serving compute of ``law``'s labs at planning state ``x`` (1.0 without :attr:`serving`)."""
    return 1.0 if law.serving is None else law.serving(x, p)[0]
