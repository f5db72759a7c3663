"""The market's parameters: price scale, value of capability, contest, and the chosen demand form's own.

A scenario's ``[market]`` table is flat: the market's parameters declared here and the parameters the
chosen demand form declares (``delta0`` for ``quasilinear``, ``capacity0`` for ``capacity``). Inside,
the form's parameters are kept apart (``demand_params``), validated against that form's declarations,
so a new demand form brings its parameters with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

import numpy as np

from labs.params import Param, ParameterError, Validated, did_you_mean, field_specs, resolve_params, spec_field
from market.demand import DEMANDS, DemandForm

Array = np.ndarray


@dataclass(frozen=True)
class MarketParams(Validated):
    """The market of docs/model.md §2. Build one from flat keywords with :meth:`build`."""

    section: ClassVar[str] = "market"

    omega: float = spec_field(1.0, "price scale: value of one token of quality 1 (beta_R)", low=0.0,
                              low_open=True, scale=(0.1, 5.0))
    gamma: float = spec_field(2.0, "return to capability in the value per token f(M) = M^gamma", low=0.0,
                              low_open=True, scale=(0.2, 4.0))
    contest: float | None = spec_field(None, "contest exponent lambda of the revenue split (omit: = gamma)",
                                       low=0.0, optional=True, scale=(0.0, 10.0))
    demand: str = spec_field("quasilinear", "inverse demand form", kind="choice", choices=tuple(DEMANDS))
    demand_growth: float = spec_field(0.0, "growth rate g_d of demand (delta shrinks, D grows)",
                                      scale=(-0.5, 1.0))
    compute_price: float = spec_field(0.0, "price p0 of a compute unit at t = 0, revenue units (0: costs off)",
                                      low=0.0, scale=(0.0, 10.0))
    hardware_growth: float = spec_field(0.31, "growth rate h of hardware price-performance (FLOP per revenue "
                                        "unit); a compute unit costs p0 exp(-h t)", low=-1.0, high=2.0,
                                        scale=(0.0, 0.7))
    demand_params: tuple[tuple[str, Any], ...] = ()
    demand_kwargs: Mapping[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        resolved = resolve_params(self.form.params, dict(self.demand_params))
        object.__setattr__(self, "demand_params", tuple(sorted(resolved.items())))
        object.__setattr__(self, "demand_kwargs", resolved)

    @classmethod
    def build(cls, **flat: Any) -> "MarketParams":
        """A market from the flat keywords of a ``[market]`` table, e.g. ``build(delta0=2.0, contest=4.0)``."""
        return cls.from_dict(flat, "")

    @classmethod
    def from_dict(cls, given: Mapping[str, Any], prefix: str | None = None) -> "MarketParams":
        """A market from a flat ``[market]`` table; errors name ``prefix.key`` and the allowed values."""
        prefix = cls.section if prefix is None else prefix
        own = field_specs(cls)
        demand = own["demand"].check(given.get("demand", own["demand"].default), _join(prefix, "demand"))
        form = DEMANDS[demand]
        for key in given:
            if key not in own and key not in form.params:
                raise ParameterError(_join(prefix, key), _unknown(key, demand), ", ".join([*own, *form.params]))
        core = {k: v for k, v in given.items() if k in own}
        demand_params = tuple((k, v) for k, v in given.items() if k in form.params)
        try:
            return cls(**core, demand_params=demand_params)
        except ParameterError as error:
            raise error.prefixed(prefix) from None

    def to_dict(self) -> dict[str, Any]:
        """The flat ``[market]`` table of this market (the inverse of :meth:`from_dict`)."""
        return {**{name: getattr(self, name) for name in field_specs(type(self))}, **dict(self.demand_params)}

    def replace(self, **changes: Any) -> "MarketParams":
        """This market with some flat keys changed (changing ``demand`` resets the form's parameters)."""
        if "demand" in changes and changes["demand"] != self.demand:
            flat = {name: getattr(self, name) for name in field_specs(type(self))}
        else:
            flat = self.to_dict()
        return MarketParams.from_dict({**flat, **changes}, "")

    @property
    def form(self) -> DemandForm:
        return DEMANDS[self.demand]

    @property
    def contest_exponent(self) -> float:
        """lambda, defaulting to gamma (each lab is paid for its own value per token)."""
        return self.gamma if self.contest is None else self.contest

    @property
    def independent(self) -> bool:
        """True when the pool is ``omega V`` exactly (no congestion): labs only compete through the split."""
        return self.form.independent(self.demand_kwargs)

    @property
    def costs(self) -> bool:
        """True when compute has a price (docs/model.md §7): labs then pay for it and earn profit."""
        return self.compute_price > 0.0

    def unit_price(self, t: Array | float) -> Array | float:
        """Price of one compute unit at ``t``, ``p0 exp(-h t)`` (0 with costs off)."""
        return self.compute_price * np.exp(-self.hardware_growth * np.asarray(t, dtype=float))

    def condition(self, t: Array | float) -> Array | float:
        """The demand form's time-only term at ``t`` (its slope or saturation point)."""
        return self.form.condition(t, self.demand_growth, self.demand_kwargs)

    def pool(self, value: Array, tokens: Array, t: Array | float, omega: Array | float | None = None) -> Array:
        """Revenue pool ``P T`` from total value ``V = sum M^gamma K`` and tokens ``T`` at time ``t``."""
        return self.form.pool(value, tokens, self.condition(t), self.omega if omega is None else omega)


def market_param_specs() -> dict[str, Param]:
    """Every key a ``[market]`` table may hold, across all demand forms (for sweeps and documentation)."""
    specs = dict(field_specs(MarketParams))
    for form in DEMANDS.values():
        specs.update(form.params)
    return specs


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _unknown(key: str, demand: str) -> str:
    owners = [name for name, form in DEMANDS.items() if key in form.params]
    if owners:
        return f"parameter of demand {owners[0]!r}, not of demand {demand!r}"
    return f"unknown parameter{did_you_mean(key, market_param_specs())}"
