"""Lab state as arrays: one row per lab, advanced for all labs at once.

The model owns a single :class:`LabState`; Mesa ``Lab`` agents are views onto its rows. Labs that use the
same capability law are advanced together in one vectorised call per law.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from labs.laws import LAWS, CapabilityLaw, serving_factor
from labs.spec import LabSpec

Array = np.ndarray
Stepper = Callable[[Array, Array, Array, Array], tuple[Array, Array]]


def law_param_arrays(law: CapabilityLaw, specs: Sequence[LabSpec], index: Array) -> dict[str, Array]:
    """Per-lab arrays of ``law``'s parameters for the labs ``index`` (an omitted optional one is NaN)."""
    if not index.size:
        return {name: np.empty(0) for name in law.params}
    first = specs[int(index[0])].law_params
    # Every lab of one law holds the same resolved names in the same (sorted) order: one table, read by column.
    table = np.array([value for i in index.tolist() for _, value in specs[i].law_params],
                     dtype=float).reshape(index.size, len(first))  # an omitted optional value (None) is NaN
    column = {name: j for j, (name, _) in enumerate(first)}
    return {name: table[:, column[name]].copy() for name in law.params}


OBSERVED = ("capability", "compute", "trained", "alpha", "growth_observed", "capability_growth")
"""The state arrays policies observe. They are read-only and replaced, never written into, each step, so an
observation shares them instead of copying them (``policies.base.Observation.of_state``)."""


def read_only(a: Array) -> Array:
    """``a``, marked read-only (a state array from now on)."""
    a.setflags(write=False)
    return a


class CapabilityChange:
    """Capability at the start and end of the last step, and the growth rate between them,
    ``log(M_end / M_start) / dt``, worked out the first time it is read.

    Policies observe the rate, but few read it (a trend forecast of rivals does): computing it when
    asked spares every other step a log over all labs. Both capabilities are read-only state arrays
    of that step, so the rate is the same whenever it is read.
    """

    __slots__ = ("start", "end", "dt", "_rate")

    def __init__(self, start: Array | None, end: Array | None, dt: float, rate: Array | None = None) -> None:
        self.start, self.end, self.dt, self._rate = start, end, dt, rate

    @property
    def rate(self) -> Array:
        if self._rate is None:
            self._rate = read_only(np.log(self.end / self.start) / self.dt)
        return self._rate


def one_if_shared(values: Array) -> Array | float:
    """``values`` as one number when every entry holds it, else ``values``: numpy then works on a scalar
    (one transcendental instead of one per entry) with the bits it would give each element."""
    return float(values[0]) if values.size and (values == values[0]).all() else values


class LawGroup:
    """The labs that share one capability law, with their law parameters as arrays.

    ``rows`` selects the group's rows: a plain slice when the group is every lab (the common case), so
    that advancing it needs no gather and scatter copies.
    """

    def __init__(self, law: CapabilityLaw, index: Array, specs: Sequence[LabSpec]) -> None:
        self.law = law
        self.index = index
        self.rows: Array | slice = slice(None) if index.size == len(specs) else index
        self.params = law_param_arrays(law, specs, index)
        # A power with one exponent can take numpy's fast paths (a square root for epsilon = 1/2).
        self.shared_params = {name: one_if_shared(v) for name, v in self.params.items()}


class LabState:
    """Capability, compute, cumulative training, NPV and the last decisions, for every lab."""

    def __init__(self, specs: Sequence[LabSpec]) -> None:
        self.n = len(specs)
        self.names = [s.name for s in specs]
        self.compute0 = np.array([s.compute0 for s in specs], dtype=float)
        self.growth = np.array([s.growth for s in specs], dtype=float)
        self.discount = np.array([s.discount for s in specs], dtype=float)
        # The rate a step's revenue is discounted at: one number when every lab has it, so a step takes one
        # exp instead of one per lab (numpy's exp gives a scalar the bits it gives each array element).
        rate = one_if_shared(self.discount)
        self._minus_discount = -rate  # negating is exact: -rho t is this times t, bit for bit
        self._discount_rate = rate
        self.reinvesting = np.array([s.reinvest is not None for s in specs], dtype=bool)  # LabSpec.reinvests
        if self.reinvesting.any():  # compute is a state for these labs (docs/model.md §7)
            self.reinvest = np.array([s.reinvest or 0.0 for s in specs], dtype=float)
            self.depreciation = np.array([s.depreciation for s in specs], dtype=float)
            self.funding = np.array([s.funding for s in specs], dtype=float)
        laws = [s.law for s in specs]
        distinct = list(dict.fromkeys(laws))  # in order of first appearance
        if len(distinct) == 1:
            self.groups = [LawGroup(LAWS[distinct[0]], np.arange(self.n), specs)]
        else:
            law_of = np.array(laws)
            self.groups = [LawGroup(LAWS[name], np.flatnonzero(law_of == name), specs) for name in distinct]
        self._serving_groups = [group for group in self.groups if group.law.serving is not None]
        self._one_group = len(self.groups) == 1 and isinstance(self.groups[0].rows, slice)
        self.capability = np.empty(self.n)
        self.trained = np.empty(self.n)
        for group in self.groups:
            M, F = group.law.initial_state(group.params)
            self.capability[group.index] = M
            self.trained[group.index] = F
        self.compute = self.compute0.copy()
        self.serving = np.ones(self.n)
        self._update_serving()
        self.alpha = np.zeros(self.n)
        self.revenue = np.zeros(self.n)
        self.share = np.zeros(self.n)
        self.npv = np.zeros(self.n)
        self.cost = np.zeros(self.n)
        self.profit = np.zeros(self.n)
        self.npv_profit = np.zeros(self.n)
        self.growth_observed = self.growth.copy()
        self.capability_change = CapabilityChange(None, None, 1.0, read_only(np.zeros(self.n)))
        self._step_constants: tuple[float, Array, Array, Array | float] | None = None
        self._step_laws: tuple[float, list[Stepper]] | None = None
        for name in OBSERVED:
            read_only(getattr(self, name))

    def _constants(self, dt: float) -> tuple[Array, Array, Array]:
        """Compute growth factor, its observed rate, and the discount integral of a step of ``dt``.

        They depend on ``dt`` only, so they are computed once per run rather than once per step.
        """
        if self._step_constants is None or self._step_constants[0] != dt:
            growth = np.exp(self.growth * dt)
            rate = self._discount_rate
            self._step_constants = (dt, growth, np.log(growth) / dt, -np.expm1(-rate * dt) / rate)
        return self._step_constants[1:]

    def _steppers(self, dt: float) -> list[Stepper]:
        """Each law group's stepper at the labs' own compute growth: made once per step length, not per step."""
        if self._step_laws is None or self._step_laws[0] != dt:
            self._step_laws = (dt, [group.law.stepper(self.growth[group.rows], dt, group.shared_params)
                                    for group in self.groups])
        return self._step_laws[1]

    def _update_serving(self) -> None:
        """Tokens per unit of serving compute of the labs whose law makes them depend on model size."""
        for group in self._serving_groups:
            x = group.law.planning_state(self.capability[group.index], self.trained[group.index])
            self.serving[group.index] = serving_factor(group.law, x, group.params)

    @property
    def capacity(self) -> Array:
        """Serving capacity K = (1 - alpha) C sigma at the current decisions (sigma = 1 for most laws)."""
        return self.serving_capacity(np.empty(self.n))

    def serving_capacity(self, out: Array) -> Array:
        """:attr:`capacity`, worked out in ``out`` (the same operations, in place) and returned."""
        np.subtract(1.0, self.alpha, out=out)
        out *= self.compute
        if self._serving_groups:  # else sigma = 1 for every lab: multiplying by it would change no bit
            out *= self.serving
        return out

    def book_revenue(self, revenue: Array, share: Array, t: float, dt: float, npv_out: Array | None = None) -> None:
        """Add the exact discounted integral of a revenue rate held constant over [t, t + dt); the new NPV is
        worked out in ``npv_out`` where given (a model's record row), else in a fresh array."""
        self.revenue = revenue
        self.share = share
        self.npv = np.add(self.npv, revenue * np.exp(self._minus_discount * t) * self._constants(dt)[2], out=npv_out)

    def book_cost(self, cost: Array, t: float, dt: float) -> None:
        """Charge the compute bill ``cost`` (a rate over [t, t + dt)) and book the profit it leaves."""
        self.cost = cost
        self.profit = self.revenue - cost
        self.npv_profit = self.npv_profit + self.profit * np.exp(self._minus_discount * t) * self._constants(dt)[2]

    def reinvestment_growth(self, unit_price: float) -> Array:
        """Each lab's compute growth rate from reinvested profit and funding, ``d (s pi + F) / (p C)``.

        Zero for labs with exogenous compute (docs/model.md §7).
        """
        spend = self.reinvest * self.profit + self.funding
        return np.where(self.reinvesting, self.depreciation * spend / (unit_price * self.compute), 0.0)

    def advance(self, dt: float, compute_shock: Array | None = None, extra_growth: Array | None = None) -> None:
        """Train at the current alpha and grow compute over one step (exact for each law).

        ``extra_growth`` adds to the growth rate of compute over this step (reinvested profit); the laws
        then integrate training with compute growing at the total rate.
        """
        M_old = self.capability
        C_old = self.compute
        if extra_growth is None:
            steppers = self._steppers(dt)
        else:
            rate = self.growth + extra_growth
            steppers = [group.law.stepper(rate[group.rows], dt, group.shared_params) for group in self.groups]
        if self._one_group:
            M_new, F_new = steppers[0](M_old, self.trained, self.alpha, C_old)
        else:
            M_new = np.empty(self.n)
            F_new = np.empty(self.n)
            for group, step in zip(self.groups, steppers):
                i = group.rows
                M_new[i], F_new[i] = step(M_old[i], self.trained[i], self.alpha[i], C_old[i])
        growth, observed, _ = self._constants(dt)
        if extra_growth is not None:
            growth = growth * np.exp(extra_growth * dt)
            observed = np.log(growth) / dt
        if compute_shock is not None:
            growth = growth * compute_shock
            observed = np.log(growth) / dt
        self.capability, self.trained, self.compute = read_only(M_new), read_only(F_new), read_only(C_old * growth)
        if self._serving_groups:
            self._update_serving()
        self.growth_observed = read_only(observed)
        self.capability_change = CapabilityChange(M_old, M_new, dt)

    @property
    def capability_growth(self) -> Array:
        """Each lab's capability growth rate over the last step (before any breakthrough); 0 at the start."""
        return self.capability_change.rate

    def apply_breakthroughs(self, factor: Array) -> None:
        """Multiply capability by ``factor`` (1 where no breakthrough happened)."""
        self.capability = read_only(self.capability * factor)
