"""The full description of a run: labs, market, shocks, horizon, step and seed.

A :class:`RaceConfig` is an immutable, hashable value. Everything a run produces is a function of it (and
of the labrace version), which is what makes results reproducible and cacheable by key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from labs.params import Param, ParameterError, resolve_params
from labs.spec import LabSpec
from market.clearing import MarketParams

SHOCK_PARAMS: dict[str, Param] = {
    "compute_noise": Param("compute_noise", 0.0, "volatility sigma of log compute growth per sqrt(year)",
                           low=0.0, high=2.0),
    "breakthrough_rate": Param("breakthrough_rate", 0.0, "Poisson rate of capability jumps per lab-year",
                               low=0.0, high=100.0),
    "breakthrough_size": Param("breakthrough_size", 0.2, "relative capability jump of a breakthrough",
                               low=0.0, high=10.0),
    "demand_noise": Param("demand_noise", 0.0, "volatility of the log price scale omega per step",
                          low=0.0, high=2.0),
}

RUN_PARAMS: dict[str, Param] = {
    "horizon": Param("horizon", 10.0, "simulated time T in years", low=0.0, low_open=True, high=1000.0),
    "dt": Param("dt", 0.1, "step length in years", low=0.0, low_open=True, high=10.0),
    "seed": Param("seed", 0, "seed of the model's random generator", kind="int", low=0),
}


@dataclass(frozen=True)
class ShockParams:
    """Stochastic shocks; all zero (off) by default."""

    compute_noise: float = 0.0
    breakthrough_rate: float = 0.0
    breakthrough_size: float = 0.2
    demand_noise: float = 0.0

    def __post_init__(self) -> None:
        resolve_params(SHOCK_PARAMS, {f.name: getattr(self, f.name) for f in fields(self)}, "shocks")

    @property
    def active(self) -> bool:
        return self.compute_noise > 0 or self.breakthrough_rate > 0 or self.demand_noise > 0

    @classmethod
    def from_dict(cls, given: Mapping[str, Any], prefix: str = "shocks") -> "ShockParams":
        return cls(**resolve_params(SHOCK_PARAMS, given, prefix))


@dataclass(frozen=True)
class RaceConfig:
    """Everything that defines a run."""

    labs: tuple[LabSpec, ...]
    market: MarketParams = MarketParams()
    shocks: ShockParams = ShockParams()
    horizon: float = 10.0
    dt: float = 0.1
    seed: int = 0
    name: str = "custom"

    def __post_init__(self) -> None:
        for key in RUN_PARAMS:
            object.__setattr__(self, key, RUN_PARAMS[key].check(getattr(self, key)))
        if not self.labs:
            raise ParameterError("labs", "at least one lab is required")
        object.__setattr__(self, "labs", tuple(self.labs))
        if self.dt > self.horizon:
            raise ParameterError("dt", f"step {self.dt} is longer than the horizon {self.horizon}",
                                 f"a number in (0, {self.horizon}]")

    @property
    def steps(self) -> int:
        """Number of steps; the last one may end at most half a step past the horizon."""
        return max(1, int(round(self.horizon / self.dt)))

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (used for hashing and for writing resolved scenario files)."""
        data = asdict(self)
        for lab in data["labs"]:
            lab["law_params"] = dict(lab["law_params"])
            lab["policy"] = {"name": lab["policy"]["name"], "params": dict(lab["policy"]["params"])}
        return data

    def key(self, version: str = "") -> str:
        """A stable hash of the configuration (and code version): the identity of a run."""
        payload = json.dumps({"config": self.to_dict(), "version": version}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]
