"""The policy registry: the single source of truth for names, parameters and metadata.

Scenario validation, tournaments, the command line's listings and the visualiser's menus all read it.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any, Mapping

from labs.params import ParameterError, did_you_mean, resolve_params
from labs.spec import PolicySpec, freeze
from policies.base import Policy

REGISTRY: dict[str, type[Policy]] = {}


def register(cls: type[Policy]) -> type[Policy]:
    """Class decorator adding a policy family to the registry under ``cls.name``."""
    if not cls.name or cls.name in REGISTRY:
        raise ValueError(f"policy name {cls.name!r} is empty or already registered")
    REGISTRY[cls.name] = cls
    return cls


def policy_class(name: str, path: str = "policy.name") -> type[Policy]:
    """Look a family up by name; an unknown name suggests the closest registered one."""
    load_families()
    if name not in REGISTRY:
        raise ParameterError(path, f"unknown policy {name!r}{did_you_mean(name, REGISTRY)}",
                             "one of " + ", ".join(sorted(REGISTRY)))
    return REGISTRY[name]


def resolve_policy(name: str, params: Mapping[str, Any] | None = None, path: str = "policy") -> PolicySpec:
    """Validate ``params`` for policy ``name`` and return the spec with every default filled in."""
    cls = policy_class(name, f"{path}.name")
    resolved = resolve_params(cls.params, dict(params or {}), f"{path}.params")
    return PolicySpec(name, freeze(resolved))


def make_policy(spec: PolicySpec) -> Policy:
    return policy_class(spec.name)(**spec.kwargs)


def policy_names() -> list[str]:
    load_families()
    return sorted(REGISTRY)


FAMILY_MODULES = ("policies.erdil", "policies.feedback_policy", "policies.heuristics", "policies.hjb",
                  "policies.nash", "policies.pontryagin", "policies.steady_state")
"""The modules that define the policy families (importing one runs its ``@register`` decorators)."""


@cache
def load_families() -> None:
    """Import every family module once so that their ``@register`` decorators have run (later calls
    return at once: every registry lookup goes through here)."""
    for module in FAMILY_MODULES:
        importlib.import_module(module)
