"""The full description of a run: labs, market, shocks, horizon, step and seed.

A :class:`RaceConfig` is an immutable, hashable value. Everything a run produces is a function of it (and
of the labrace version), which is what makes results reproducible and cacheable by key. Its invariants
(valid numbers, at least one lab, unique lab names, a step no longer than the horizon) hold however it
was built: from a scenario file, in Python, or by a tournament's sweep.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from labs.params import ParameterError, Validated, field_specs, spec_field
from labs.spec import LabSpec
from market.params import MarketParams


@dataclass(frozen=True)
class ShockParams(Validated):
    """Stochastic shocks; all zero (off) by default."""

    section: ClassVar[str] = "shocks"

    compute_noise: float = spec_field(0.0, "volatility sigma of log compute growth per sqrt(year)",
                                      low=0.0, high=2.0, scale=(0.0, 0.5))
    breakthrough_rate: float = spec_field(0.0, "Poisson rate of capability jumps per lab-year",
                                          low=0.0, high=100.0, scale=(0.0, 2.0))
    breakthrough_size: float = spec_field(0.2, "relative capability jump of a breakthrough",
                                          low=0.0, high=10.0, scale=(0.0, 1.0))
    demand_noise: float = spec_field(0.0, "volatility of the log price scale omega per step",
                                     low=0.0, high=2.0, scale=(0.0, 0.5))

    @property
    def active(self) -> bool:
        return self.compute_noise > 0 or self.breakthrough_rate > 0 or self.demand_noise > 0


@dataclass(frozen=True)
class RaceConfig(Validated):
    """Everything that defines a run."""

    labs: tuple[LabSpec, ...]
    market: MarketParams = MarketParams()
    shocks: ShockParams = ShockParams()
    horizon: float = spec_field(10.0, "simulated time T in years", low=0.0, low_open=True, high=1000.0)
    dt: float = spec_field(0.1, "step length in years", low=1e-6, high=10.0)
    seed: int = spec_field(0, "seed of the model's random generator", kind="int", low=0)
    name: str = "custom"

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "labs", tuple(self.labs))
        if not self.labs:
            raise ParameterError("labs", "at least one lab is required")
        seen: dict[str, int] = {}
        for index, lab in enumerate(self.labs):
            if lab.name in seen:
                raise ParameterError(f"labs[{index}].name",
                                     f"duplicate lab name {lab.name!r} (also labs[{seen[lab.name]}])",
                                     "a name not used by another lab")
            seen[lab.name] = index
        for index, lab in enumerate(self.labs):
            if lab.reinvests and not self.market.costs:
                raise ParameterError(f"labs[{index}].reinvest",
                                     "reinvesting profit needs compute to have a price",
                                     "omit reinvest, or set [market] compute_price > 0")
        if self.dt > self.horizon:
            raise ParameterError("dt", f"step {self.dt} is longer than the horizon {self.horizon}",
                                 f"a number in (0, {self.horizon}]")

    @property
    def steps(self) -> int:
        """Number of steps: horizon / dt rounded to the nearest whole number (see :attr:`end_time`)."""
        return max(1, int(round(self.horizon / self.dt)))

    @property
    def end_time(self) -> float:
        """When the last step ends, ``steps * dt``: the horizon unless dt does not divide it."""
        return self.steps * self.dt

    def step_mismatch(self) -> str:
        """A note saying where the run really ends when dt does not divide the horizon, else ``""``.

        Runs take whole steps, so such a run ends up to half a step before or after the horizon; it is
        accepted (a sampled horizon is never a multiple of dt) but said out loud wherever it is run.
        """
        if math.isclose(self.end_time, self.horizon, rel_tol=1e-9):
            return ""
        return (f"horizon {self.horizon:g} is not a whole number of steps of dt {self.dt:g}: the run takes "
                f"{self.steps} steps and ends at t = {self.end_time:g}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (used for hashing and for writing resolved scenario files)."""
        return {
            "labs": [lab.to_dict() for lab in self.labs],
            "market": self.market.to_dict(),
            "shocks": asdict(self.shocks),
            "horizon": self.horizon, "dt": self.dt, "seed": self.seed, "name": self.name,
        }

    def key(self, version: str = "") -> str:
        """A stable hash of the configuration (and code version): the identity of a run."""
        payload = json.dumps({"config": self.to_dict(), "version": version}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


SHOCK_PARAMS = field_specs(ShockParams)
"""The shock parameters, as declared on :class:`ShockParams`."""

RUN_PARAMS = field_specs(RaceConfig)
"""The run's own numbers (horizon, dt, seed), as declared on :class:`RaceConfig`."""
