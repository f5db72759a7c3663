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

from labs.params import Param, ParameterError
from labs.spec import LabSpec
from market.clearing import MARKET_PARAMS, MarketParams
from market.config import RaceConfig
from policies.registry import policy_class, resolve_policy

MAX_LABS = 8


@dataclass(frozen=True)
class SliderRange:
    """Where a market slider starts and ends; the core's specs only give the mathematically valid range."""

    low: float
    high: float
    step: float


MARKET_SLIDERS: dict[str, SliderRange] = {
    "omega": SliderRange(0.1, 5.0, 0.1),
    "delta0": SliderRange(0.0, 10.0, 0.05),
    "demand_growth": SliderRange(-0.5, 1.0, 0.05),
    "gamma": SliderRange(0.2, 4.0, 0.1),
    "contest": SliderRange(0.0, 10.0, 0.1),
}


def slider_bounds(name: str, value: float) -> tuple[float, float]:
    """The slider's range, widened to include ``value`` (a loaded scenario may lie outside it)."""
    r = MARKET_SLIDERS[name]
    return min(r.low, value), max(r.high, value)


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
    values = {**{k: getattr(config.market, k) for k in MARKET_PARAMS}, **changes}
    return replace(config, market=MarketParams.from_dict(values))


def with_seed(config: RaceConfig, seed: int) -> RaceConfig:
    return replace(config, seed=seed)


def policy_params(name: str) -> dict[str, Param]:
    """The parameter specs of a registered policy (what the lab's controls are made from)."""
    return dict(policy_class(name).params)
