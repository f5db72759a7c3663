"""Sweeps: parameter variations layered on a base scenario (grids and seeded Monte-Carlo samples).

A sweep target is written as a dotted name: ``market.<param>``, ``shocks.<param>``, ``labs.<param>`` (all
seats: ``compute0``, ``growth``, ``discount``), ``labs.law_params.<param>`` (every lab whose law has it),
``horizon`` or ``dt``. Each value is checked against the parameter's own specification, so a sweep cannot
reach a value a scenario file could not hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from itertools import product
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from labs.laws import LAWS
from labs.params import Param, ParameterError, did_you_mean
from labs.spec import LAB_PARAMS, freeze
from market.params import market_param_specs
from market.config import RUN_PARAMS, SHOCK_PARAMS, RaceConfig
from scenarios.distributions import Distribution

if TYPE_CHECKING:
    from labrace.tournaments.spec import BaseScenario

RUN_TARGETS = {k: v for k, v in RUN_PARAMS.items() if k != "seed"}  # seeds are the replications


@dataclass(frozen=True)
class Target:
    """One sweepable parameter: ``section`` is market, shocks, labs, law_params or run.

    ``field`` is where the tournament file sweeps it (e.g. ``sweep.grid."horizon"``), so that a point
    making a scenario invalid can be reported against the line that asked for it; it is not part of
    the target's identity.
    """

    section: str
    param: Param
    field: str = dataclass_field(default="", compare=False)

    @property
    def key(self) -> str:
        prefix = {"run": "", "law_params": "labs.law_params."}.get(self.section, f"{self.section}.")
        return prefix + self.param.name

    def check(self, value: Any, path: str) -> Any:
        return self.param.check(value, path)


@dataclass(frozen=True)
class SweepPoint:
    """One combination of swept values (empty for the base scenario itself)."""

    values: tuple[tuple[Target, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {target.key: value for target, value in self.values}


def known_targets(laws: Iterable[str] = LAWS) -> dict[str, Target]:
    """Every sweepable parameter by its dotted name, with law parameters of ``laws`` only (a sweep may
    only reach a law parameter some lab of the tournament has)."""
    known = {f"market.{k}": Target("market", p) for k, p in market_param_specs().items()}
    known |= {f"shocks.{k}": Target("shocks", p) for k, p in SHOCK_PARAMS.items()}
    known |= {f"labs.{k}": Target("labs", p) for k, p in LAB_PARAMS.items()}
    known |= {k: Target("run", p) for k, p in RUN_TARGETS.items()}
    for law in laws:
        for k, p in LAWS[law].params.items():
            known.setdefault(f"labs.law_params.{k}", Target("law_params", p))
    return known


def parse_target(key: str, path: str, scenarios: tuple["BaseScenario", ...]) -> Target:
    """The :class:`Target` named by ``key``; unknown names suggest the closest valid one."""
    known = known_targets(dict.fromkeys(lab.law for s in scenarios for lab in s.config.labs))
    if key not in known:
        raise ParameterError(path, f"unknown sweep parameter{did_you_mean(key, known)}", ", ".join(known))
    return replace(known[key], field=path)


@dataclass(frozen=True)
class Sweep:
    """A tournament's sweep as declared: grid values and Monte-Carlo distributions, expanded only on demand.

    Each sampled parameter has a :class:`~scenarios.distributions.Distribution` (``[low, high]`` in a file
    is a uniform one), the same kinds a scenario file may give a parameter as.

    A few short lists in a file can multiply into billions of points, so :attr:`size` counts them
    arithmetically and :meth:`points` lists them only when asked (after the caller has checked the size).
    """

    grid: tuple[tuple[Target, tuple[Any, ...]], ...] = ()
    ranges: tuple[tuple[Target, Distribution], ...] = ()
    samples: int = 0
    seed: int = 0

    @property
    def size(self) -> int:
        """Number of points: the product of the grid's list lengths times the samples (if any)."""
        return math.prod(len(values) for _, values in self.grid) * (self.samples if self.ranges else 1)

    def points(self) -> tuple[SweepPoint, ...]:
        """Grid points x Monte-Carlo samples (a scrambled Latin hypercube seeded by ``seed``).

        The samples are drawn once and combined with every grid point, so the grid's effect is measured
        on the same sampled environments. Without a sweep there is one empty point (the base scenarios).
        """
        grid = dict(self.grid)
        grid_points = [tuple(zip(grid, combo)) for combo in product(*grid.values())]
        if not self.ranges:
            return tuple(SweepPoint(p) for p in grid_points)
        targets = [target for target, _ in self.ranges]
        from scipy.stats import qmc  # only sampled sweeps need it, and it is slow to import in every worker

        unit = qmc.LatinHypercube(d=len(targets), seed=np.random.default_rng(self.seed)).random(self.samples)
        samples = np.column_stack([distribution.ppf(unit[:, j]) for j, (_, distribution) in enumerate(self.ranges)])
        return tuple(SweepPoint(p + tuple((t, float(v)) for t, v in zip(targets, row)))
                     for p in grid_points for row in samples)


def apply_point(config: RaceConfig, point: SweepPoint) -> RaceConfig:
    """``config`` with the point's values substituted (constructors re-validate the result).

    A value that is valid alone but not in this scenario (a horizon shorter than its step, say) raises
    a :class:`ParameterError` on the sweep field that set it, naming the scenario and what it broke.
    """
    for target, value in point.values:
        try:
            config = _substitute(config, target, value)
        except ParameterError as error:
            raise ParameterError(target.field or target.key,
                                 f"{value!r} makes scenario {config.name!r} invalid: {error.path}: {error.reason}",
                                 error.allowed) from None
    return config


def _substitute(config: RaceConfig, target: Target, value: Any) -> RaceConfig:
    """``config`` with one target set to ``value``."""
    name = target.param.name
    if target.section == "market":
        return replace(config, market=config.market.replace(**{name: value}))
    if target.section == "shocks":
        return replace(config, shocks=replace(config.shocks, **{name: value}))
    if target.section == "labs":
        return replace(config, labs=tuple(replace(lab, **{name: value}) for lab in config.labs))
    if target.section == "law_params":
        labs = tuple(replace(lab, law_params=freeze({**lab.law_kwargs, name: value}))
                     if name in LAWS[lab.law].params else lab for lab in config.labs)
        return replace(config, labs=labs)
    return replace(config, **{name: value})
