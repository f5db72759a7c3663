"""A lab's description: its compute, discounting, capability law and policy (model.md §1).

``LabSpec`` is an immutable value: scenarios resolve to tuples of them, runs hash them, and the model
builds its arrays from them. Construction validates every number against its declaration, so a bad
value fails here with the parameter's name rather than as a NaN later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from labs.laws import LAWS
from labs.params import Param, ParameterError, Validated, did_you_mean, field_specs, resolve_params, spec_field


def freeze(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A hashable, order-independent form of a parameter dict."""
    return tuple(sorted(params.items()))


@dataclass(frozen=True)
class PolicySpec:
    """A policy by registry name with its (already validated) parameters."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def label(self) -> str:
        """Short human label, e.g. ``constant(alpha=0.3)``."""
        inner = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.name}({inner})" if inner else self.name


DEFAULT_LAW = "power"


@dataclass(frozen=True)
class LabSpec(Validated):
    """One lab. ``law_params`` are validated and filled with defaults; ``policy`` is a resolved spec."""

    name: str = "lab"
    compute0: float = spec_field(100.0, "compute C(0) in compute units per year", low=0.0, low_open=True,
                                 scale=(10.0, 1000.0))
    growth: float = spec_field(0.1, "exponential compute growth rate g per year", low=-1.0, high=2.0,
                               scale=(-0.2, 1.0))
    discount: float = spec_field(0.05, "discount rate rho per year", low=0.0, low_open=True, high=2.0,
                                 scale=(0.01, 0.5))
    reinvest: float | None = spec_field(None, "share s of profit reinvested in compute, which then is a state "
                                        "(omit: exogenous compute C0 exp(g t))", low=0.0, high=1.0,
                                        optional=True, scale=(0.0, 1.0))
    depreciation: float = spec_field(0.25, "rate d at which compute capacity wears out, per year (with reinvest)",
                                     low=0.0, low_open=True, high=10.0, scale=(0.1, 1.0))
    funding: float = spec_field(0.0, "capital F raised per year to buy compute, revenue units (with reinvest)",
                                low=0.0, scale=(0.0, 1000.0))
    law: str = DEFAULT_LAW
    law_params: tuple[tuple[str, Any], ...] = ()
    policy: PolicySpec = field(default_factory=lambda: PolicySpec("pontryagin"))

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.law, str) or self.law not in LAWS:
            raise ParameterError("law", f"unknown capability law {self.law!r}{did_you_mean(self.law, LAWS)}",
                                 "one of " + ", ".join(repr(k) for k in LAWS))
        resolved = resolve_params(LAWS[self.law].params, dict(self.law_params), "law_params")
        object.__setattr__(self, "law_params", freeze(resolved))

    @classmethod
    def build(cls, name: str = "lab", *, law: str = DEFAULT_LAW, law_params: Mapping[str, Any] | None = None,
              policy: str | PolicySpec = "pontryagin", policy_params: Mapping[str, Any] | None = None,
              **numbers: float) -> "LabSpec":
        """Convenience constructor from plain dicts (used by tests, scripts and the loader).

        A policy given by name is taken as written (its parameters are checked against the registry by
        :func:`policies.registry.resolve_policy`, which the scenario loader uses).
        """
        if isinstance(policy, str):
            policy = PolicySpec(policy, freeze(policy_params or {}))
        return cls(name=name, law=law, law_params=freeze(law_params or {}), policy=policy, **numbers)

    @property
    def reinvests(self) -> bool:
        """True when this lab's compute is bought from profit (docs/model.md §7) rather than exogenous."""
        return self.reinvest is not None

    @property
    def law_kwargs(self) -> dict[str, Any]:
        return dict(self.law_params)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the lab's numbers, law, law parameters and policy (name and parameters)."""
        return {"name": self.name, **{k: getattr(self, k) for k in LAB_PARAMS}, "law": self.law,
                "law_params": dict(self.law_params),
                "policy": {"name": self.policy.name, "params": dict(self.policy.params)}}


LAB_PARAMS: dict[str, Param] = field_specs(LabSpec)
"""The numeric parameters of every lab (compute, growth, discount), as declared on :class:`LabSpec`."""
