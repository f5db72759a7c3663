"""The visualiser's settings are a :class:`RaceConfig`; every control is a pure edit of one.

Keeping the page's state as one immutable configuration means the model on screen, the model a reset
builds and the exported scenario file are all the same value: there is no second copy of the settings
that could drift from what runs. Every function here returns a new, validated configuration (invalid
values raise :class:`ParameterError` from the specs in the core) and none imports the UI toolkit, so the
logic is testable on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from labs.params import Param, ParameterError, field_specs
from labs.spec import LabSpec
from market.demand import DEMANDS
from market.params import MarketParams
from market.config import RaceConfig
from policies.registry import policy_class, resolve_policy

MAX_LABS = 8


@dataclass(frozen=True)
class Slider:
    """One market slider: the parameter, its current value and the range it spans (the spec's ``scale``)."""

    name: str
    spec: Param
    value: float
    low: float
    high: float

    @property
    def step(self) -> float:
        """A two-hundredth of the declared range, rounded to one significant digit."""
        span = (self.spec.scale[1] - self.spec.scale[0]) / 200.0
        return float(f"{span:.0e}")


def market_sliders(market: MarketParams) -> list[Slider]:
    """Sliders for the market's numeric parameters and those of its demand form, from their declarations.

    Each range is the declared exploration range, widened to include the current value (a loaded scenario
    may lie outside it). The contest exponent shows its effective value (gamma when tied).
    """
    values = {**market.to_dict(), "contest": market.contest_exponent}
    specs = {**field_specs(MarketParams), **market.form.params}
    out = []
    for name, spec in specs.items():
        if spec.kind != "float" or spec.scale is None:
            continue
        value = float(values[name])
        out.append(Slider(name, spec, value, min(spec.scale[0], value), max(spec.scale[1], value)))
    return out


def demand_forms() -> list[str]:
    """The registered demand forms (the market card's menu)."""
    return list(DEMANDS)


def _fresh_name(taken: set[str]) -> str:
    """``lab-<k>`` with the smallest ``k`` past the current count that no lab uses yet."""
    k = len(taken) + 1
    while f"lab-{k}" in taken:
        k += 1
    return f"lab-{k}"


def with_lab_count(config: RaceConfig, count: int) -> RaceConfig:
    """Drop labs from the end, or add copies of the last lab under new names."""
    if not 1 <= count <= MAX_LABS:
        raise ParameterError("labs", f"{count} labs", f"an integer in [1, {MAX_LABS}]")
    labs = list(config.labs[:count])
    while len(labs) < count:
        labs.append(replace(labs[-1], name=_fresh_name({lab.name for lab in labs})))
    return replace(config, labs=tuple(labs))


def _with_lab(config: RaceConfig, index: int, lab: LabSpec) -> RaceConfig:
    labs = list(config.labs)
    labs[index] = lab
    return replace(config, labs=tuple(labs))


def with_lab_policy(config: RaceConfig, index: int, name: str) -> RaceConfig:
    """Give lab ``index`` the registered policy ``name`` with its default parameters."""
    spec = resolve_policy(name, {}, f"labs[{index}].policy")
    return _with_lab(config, index, replace(config.labs[index], policy=spec))


def with_policy_param(config: RaceConfig, index: int, key: str, value: Any) -> RaceConfig:
    """Change one parameter of lab ``index``'s policy (validated against the registry's spec)."""
    lab = config.labs[index]
    params = {**lab.policy.kwargs, key: value}
    spec = resolve_policy(lab.policy.name, params, f"labs[{index}].policy")
    return _with_lab(config, index, replace(lab, policy=spec))


def with_lab_number(config: RaceConfig, index: int, key: str, value: float) -> RaceConfig:
    """Change a numeric lab parameter (``compute0``, ``growth``, ``discount``) of lab ``index``."""
    try:
        lab = replace(config.labs[index], **{key: value})
    except ParameterError as error:
        raise error.prefixed(f"labs[{index}]") from None
    return _with_lab(config, index, lab)


def with_market(config: RaceConfig, **changes: Any) -> RaceConfig:
    """Change market parameters (``contest=None`` means lambda = gamma)."""
    return replace(config, market=config.market.replace(**changes))


def with_seed(config: RaceConfig, seed: int) -> RaceConfig:
    return replace(config, seed=seed)


def policy_params(name: str) -> dict[str, Param]:
    """The parameter specs of a registered policy (what the lab's controls are made from)."""
    return dict(policy_class(name).params)
