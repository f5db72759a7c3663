"""A lab's description: its compute, discounting, capability law and policy (model.md §1).

``LabSpec`` is an immutable value: scenarios resolve to tuples of them, runs hash them, and the model
builds its arrays from them. Construction validates every number against the shared parameter
specifications, so a bad value fails here with the parameter's name rather than as a NaN later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from labs.laws import LAWS
from labs.params import Param, ParameterError, resolve_params

LAB_PARAMS: dict[str, Param] = {
    "compute0": Param("compute0", 100.0, "compute C(0) in compute units per year", low=0.0, low_open=True),
    "growth": Param("growth", 0.1, "exponential compute growth rate g per year", low=-1.0, high=2.0),
    "discount": Param("discount", 0.05, "discount rate rho per year", low=0.0, low_open=True, high=2.0),
}


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


@dataclass(frozen=True)
class LabSpec:
    """One lab. ``law_params`` and ``policy`` parameters are validated and filled with defaults."""

    name: str = "lab"
    compute0: float = 100.0
    growth: float = 0.1
    discount: float = 0.05
    law: str = "power"
    law_params: tuple[tuple[str, Any], ...] = ()
    policy: PolicySpec = field(default_factory=lambda: PolicySpec("pontryagin"))

    def __post_init__(self) -> None:
        for name in LAB_PARAMS:
            object.__setattr__(self, name, LAB_PARAMS[name].check(getattr(self, name)))
        if self.law not in LAWS:
            raise ParameterError("law", f"unknown capability law {self.law!r}",
                                 "one of " + ", ".join(repr(k) for k in LAWS))
        resolved = resolve_params(LAWS[self.law].params, dict(self.law_params), "law_params")
        object.__setattr__(self, "law_params", freeze(resolved))

    @classmethod
    def build(cls, name: str = "lab", *, law: str = "power", law_params: Mapping[str, Any] | None = None,
              policy: str | PolicySpec = "pontryagin", policy_params: Mapping[str, Any] | None = None,
              **numbers: float) -> "LabSpec":
        """Convenience constructor from plain dicts (used by tests, scripts and the loader)."""
        if isinstance(policy, str):
            policy = PolicySpec(policy, freeze(policy_params or {}))
        return cls(name=name, law=law, law_params=freeze(law_params or {}), policy=policy, **numbers)

    @property
    def law_kwargs(self) -> dict[str, Any]:
        return dict(self.law_params)
