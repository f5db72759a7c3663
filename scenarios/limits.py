"""Bounds on the work a scenario may ask for, checked before anything is allocated.

Every parameter of a scenario can be valid on its own while together they ask for more than a machine
has: a tiny step over a long horizon preallocates gigabytes of per-step records, ``count`` multiplies
labs entry by entry, and a planner's grid is multiplied by the horizon at every re-plan. These limits
are declared here once, as :class:`Limits` fields; ``labrace run`` turns each into a ``--max-...`` option
so a user can raise one deliberately, and :func:`check_limits` refuses a configuration above them with
an error naming the field that drives the work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from labs.params import ParameterError, Validated, field_specs, spec_field
from market.config import RaceConfig

GRID_PARAM = "grid"
"""The policy parameter that sets a planner's solver grid (intervals per simulated year)."""

STATE_NODES_PARAM, STATE_STEPS_PARAM = "nodes", "steps_per_year"
"""The parameters of a state-grid solver (the ``feedback`` policy): nodes per lab's axis and time steps per
year, so its grid has nodes ** labs points at each of steps_per_year x horizon steps."""


@dataclass(frozen=True)
class Limits(Validated):
    """The largest run accepted without being asked for explicitly."""

    steps: int = spec_field(100_000, "largest number of steps, horizon / dt", kind="int", low=1)
    labs: int = spec_field(1_000, "largest number of labs, every [[labs]] entry's count summed", kind="int",
                           low=1)
    lab_steps: int = spec_field(2_000_000, "largest labs x steps: the rows of labs.csv, all held in memory "
                                "during the run", kind="int", low=1)
    solver_points: int = spec_field(200_000, "largest solver grid of a planning policy: its grid (intervals "
                                    "per year) x the horizon, re-solved at every re-plan", kind="int", low=1)
    samples: int = spec_field(10_000, "largest number of runs of a Monte-Carlo (--samples) or sensitivity "
                              "study, each a whole run of the scenario", kind="int", low=1)

    @staticmethod
    def option(name: str) -> str:
        """The command-line option that raises limit ``name``, e.g. ``--max-lab-steps``."""
        return "--max-" + name.replace("_", "-")


LIMIT_PARAMS = field_specs(Limits)


def _over(limit: str, path: str, what: str, value: int, bound: int, fix: str) -> ParameterError:
    return ParameterError(path, f"{what} = {value:,} is more than the limit of {bound:,}",
                          f"{fix}, or a deliberately higher {Limits.option(limit)}")


def too_many_labs(count: int, before: int, limit: int) -> tuple[str, str]:
    """Reason and allowed values for an entry whose ``count`` takes the labs (``before`` it) past ``limit``."""
    return (f"count = {count:,} brings the labs in total to {before + count:,}, more than the limit of {limit:,}",
            f"a smaller count or fewer entries, or a deliberately higher {Limits.option('labs')}")


def check_limits(config: RaceConfig, limits: Limits = Limits(), entries: Sequence[int] | None = None) -> None:
    """Refuse ``config`` if it asks for more work than ``limits`` allow.

    ``entries[i]`` is the ``[[labs]]`` entry lab ``i`` came from (after ``count`` expansion), so errors
    name the field a user wrote; without it lab indices are used.
    """
    entry = list(entries) if entries is not None else list(range(len(config.labs)))
    steps, labs = config.steps, len(config.labs)
    if steps > limits.steps:
        raise _over("steps", "dt", f"steps horizon / dt = {config.horizon:g} / {config.dt:g}", steps,
                    limits.steps, "a longer dt or a shorter horizon")
    if labs > limits.labs:
        raise _over("labs", "labs", f"labs in total over {len(set(entry))} [[labs]] entries", labs, limits.labs,
                    "fewer entries or smaller counts")
    if labs * steps > limits.lab_steps:
        raise _over("lab_steps", "labs", f"labs x steps = {labs:,} x {steps:,} (rows of labs.csv)", labs * steps,
                    limits.lab_steps, "fewer labs, a longer dt or a shorter horizon")
    for index, lab in enumerate(config.labs):
        params = dict(lab.policy.params)
        if STATE_NODES_PARAM in params and STATE_STEPS_PARAM in params:
            nodes, per_year = params[STATE_NODES_PARAM], params[STATE_STEPS_PARAM]
            points = nodes ** labs * math.ceil(per_year * config.horizon)
            if points > limits.solver_points:
                raise _over("solver_points", f"labs[{entry[index]}].policy.params.{STATE_NODES_PARAM}",
                            f"state-grid points nodes ** labs x steps = {nodes} ** {labs} x "
                            f"{math.ceil(per_year * config.horizon):,}", points, limits.solver_points,
                            "fewer nodes, fewer labs or fewer steps per year")
        grid = params.get(GRID_PARAM)
        if grid is None:
            continue
        points = math.ceil(grid * config.horizon)
        if points > limits.solver_points:
            raise _over("solver_points", f"labs[{entry[index]}].policy.params.{GRID_PARAM}",
                        f"solver points grid x horizon = {grid:,} x {config.horizon:g}", points,
                        limits.solver_points, "a coarser grid or a shorter horizon")
