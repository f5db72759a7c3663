"""From a tournament spec to the list of runs: line-ups x scenarios x sweep points x seeds.

Seats come from the base scenario: seat ``i`` is the scenario's lab ``i mod n`` (its compute, growth,
discount and law), with its policy replaced by the entrant sitting there. A line-up shorter than the
scenario's lab list uses its first labs; a longer one repeats them cyclically (copies are renamed
``name-2``, ``name-3``...), which extends a symmetric scenario naturally and an asymmetric one by cycling
its lab types. Omitting ``lineup_size`` plays each scenario with its own number of labs.

Line-ups are multisets of entrants (combinations with replacement). So that no seat is favoured each is
played in every distinct ordering (``permutations``: all n^k ordered line-ups) or in each cyclic rotation
(``rotations``: every member takes every seat once).

The number of runs is the product of short lists (line-ups of 16 from 7 entrants are 7^16 = 3e13
orderings), so :func:`count_runs` computes it arithmetically and :func:`plan_runs` refuses, before listing
anything, a tournament larger than its ``max_runs``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from itertools import combinations_with_replacement, product

import pandas as pd

from labs.params import Param, ParameterError
from market.config import RaceConfig
from policies.registry import policy_class
from scenarios.limits import check_limits
from scenarios.schema import ScenarioError
from labrace.tournaments.spec import Entrant, TournamentSpec
from labrace.tournaments.sweeps import SweepPoint, apply_point


@dataclass(frozen=True)
class RunTask:
    """One run of the tournament with the metadata its result rows carry."""

    key: str
    scenario: str
    sweep: str  # the sweep point as canonical JSON ("{}" for the base scenario)
    seed: int
    lineup: tuple[str, ...]  # entrant labels by seat
    config: RaceConfig


def planning_labs(task: RunTask) -> int:
    """How many of the run's labs follow a planning policy: the estimate of its cost that
    :func:`labrace.tournaments.execute.play` schedules by (a planner costs a run far more than a rule)."""
    return sum(policy_class(lab.policy.name).plans for lab in task.config.labs)


MAX_RUNS = Param("--max-runs", 100_000, "largest tournament played without asking", kind="int", low=1)


def lineups(n_entrants: int, size: int, seating: str) -> list[tuple[int, ...]]:
    """Ordered line-ups (entrant indices by seat) for ``seating`` ``permutations`` or ``rotations``."""
    if seating == "permutations":
        return list(product(range(n_entrants), repeat=size))
    out: list[tuple[int, ...]] = []
    for combo in combinations_with_replacement(range(n_entrants), size):
        rotations = dict.fromkeys(combo[shift:] + combo[:shift] for shift in range(size))
        out.extend(rotations)
    return out


def count_lineups(n_entrants: int, size: int, seating: str) -> int:
    """``len(lineups(n_entrants, size, seating))`` without listing them.

    A rotation of a sorted line-up equals it only if the line-up is constant (cyclic periodicity and
    order force every seat to be equal), so the n constant multisets give one line-up each and every
    other multiset gives ``size`` distinct rotations.
    """
    if seating == "permutations":
        return n_entrants ** size
    multisets = math.comb(n_entrants + size - 1, size)
    return n_entrants + (multisets - n_entrants) * size


def count_runs(spec: TournamentSpec) -> int:
    """Runs the tournament plans: line-ups x sweep points x seeds, summed over its scenarios (an upper
    bound when two planned runs resolve to the same configuration, which are played once)."""
    per_environment = spec.sweep.size * len(spec.seeds)
    return sum(count_lineups(len(spec.entrants), spec.lineup_size or len(s.config.labs), spec.seating)
               for s in spec.scenarios) * per_environment


def check_size(spec: TournamentSpec, max_runs: int) -> int:
    """The run count, or a :class:`ScenarioError` naming the fields that multiply into it if above
    ``max_runs``."""
    total = count_runs(spec)
    if total > max_runs:
        sizes = sorted({spec.lineup_size or len(s.config.labs) for s in spec.scenarios})
        factors = (f"{len(spec.entrants)} entrants in line-ups of {'/'.join(map(str, sizes))} by {spec.seating}, "
                   f"{len(spec.scenarios)} scenarios, {len(spec.seeds)} seeds, {spec.sweep.size} sweep points")
        raise ScenarioError(spec.source, "entrants, lineup_size, seating, scenarios, seeds, sweep",
                            f"{total:.3g} runs ({factors}) exceed the limit of {max_runs}",
                            "fewer entrants, a smaller lineup_size, rotations, fewer seeds or sweep points, "
                            "or a deliberately higher --max-runs")
    return total


def seat_config(base: RaceConfig, entrants: tuple[Entrant, ...], seats: tuple[int, ...]) -> RaceConfig:
    """``base`` with one lab per seat, each taking the policy of the entrant seated there."""
    n = len(base.labs)
    labs = []
    for seat, entrant in enumerate(seats):
        lab = base.labs[seat % n]
        name = lab.name if seat < n else f"{lab.name}-{seat // n + 1}"
        labs.append(replace(lab, name=name, policy=entrants[entrant].policy))
    return replace(base, labs=tuple(labs))


def sweep_label(point: SweepPoint) -> str:
    return json.dumps(point.as_dict(), sort_keys=True)


def _check_work(spec: TournamentSpec, scenario: str, point: SweepPoint, config: RaceConfig,
                seats: tuple[int, ...]) -> None:
    """Refuse a run of the tournament that asks for more work than a single run may (see :mod:`scenarios.limits`).

    The seed changes nothing of the work, so one check per scenario, sweep point and line-up suffices.
    """
    try:
        check_limits(config)
    except ParameterError as error:
        where = f"scenario {scenario!r}" + (f" at sweep point {sweep_label(point)}" if point.values else "")
        lineup = ", ".join(spec.entrants[e].label for e in seats)
        raise ScenarioError(spec.source, error.path, f"{where} with line-up ({lineup}): {error.reason}",
                            error.allowed) from None


def plan_runs(spec: TournamentSpec, version: str, max_runs: int = MAX_RUNS.default) -> list[RunTask]:
    """Every run of the tournament, each keyed by the hash of its resolved configuration.

    Refuses (see :func:`check_size`) a tournament of more than ``max_runs`` runs before listing any.
    """
    check_size(spec, max_runs)
    tasks: dict[str, RunTask] = {}
    for scenario in spec.scenarios:
        size = spec.lineup_size or len(scenario.config.labs)
        seatings = lineups(len(spec.entrants), size, spec.seating)
        for point in spec.points:
            try:
                base = apply_point(scenario.config, point)
            except ParameterError as error:
                raise ScenarioError.wrap(spec.source, error) from None
            for seats in seatings:
                _check_work(spec, scenario.name, point, seat_config(base, spec.entrants, seats), seats)
            for seed in spec.seeds:
                seeded = replace(base, seed=seed)
                for seats in seatings:
                    config = seat_config(seeded, spec.entrants, seats)
                    key = config.key(version)
                    labels = tuple(spec.entrants[e].label for e in seats)
                    tasks.setdefault(key, RunTask(key, scenario.name, sweep_label(point), seed, labels, config))
    return list(tasks.values())


def plan_frame(tasks: list[RunTask]) -> pd.DataFrame:
    """One row per seat of every planned run: the metadata the analysis joins results onto."""
    rows = [{"key": t.key, "scenario": t.scenario, "sweep": t.sweep, "seed": t.seed,
             "lineup": " | ".join(t.lineup), "seat": seat, "lab": lab.name, "policy": label}
            for t in tasks for seat, (label, lab) in enumerate(zip(t.lineup, t.config.labs))]
    return pd.DataFrame(rows)
