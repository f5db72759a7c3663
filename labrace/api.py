"""The Python front door: a run or a tournament in one call, with results as objects.

::

    import labrace
    run = labrace.run("duopoly", seed=1)      # a shipped name, a .toml path, a RaceConfig or a Scenario
    run.outcomes; run.summary(); run.save("out/duopoly")
    t = labrace.tournament("quick", out="out/quick", workers=2)
    t.ranking; t.payoff_matrix; t.equilibrium

``labrace run`` and ``labrace tournament`` are these functions plus argument parsing and printing, so a
script and the command give the same numbers and write the same files. Tournament machinery is reached
through the lazy :mod:`labrace.tournaments` package, so ``labrace.run`` does not import the analysis.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import labrace.tournaments as tournaments_package
from labs.params import ParameterError
from market.config import RaceConfig
from policies.registry import policy_class, policy_names
from scenarios.limits import Limits, check_limits
from scenarios.loader import Scenario, load_scenario, shipped_scenarios
from scenarios.loader import read_scenario as read_scenario_file
from scenarios.schema import ScenarioError
from labrace.simulation.run import RunResult, run_config
from labrace.simulation.seeds import SEEDS

if TYPE_CHECKING:
    from labrace.tournaments import TournamentResult

ScenarioSource = str | Path | RaceConfig | Scenario


def read_scenario(scenario: ScenarioSource, seed: int | None = None, limits: Limits = Limits()) -> Scenario:
    """The scenario to run: a shipped name or file is read and validated, a config is taken as it is.

    ``seed`` replaces the scenario's seed (the other parameters stay as the file has them). Either way
    the work it asks for is checked against ``limits`` before anything is allocated.
    """
    if isinstance(scenario, RaceConfig):
        scenario = Scenario(scenario, "", f"<config {scenario.name}>")
    elif not isinstance(scenario, Scenario):
        return _reseeded(read_scenario_file(scenario, limits), seed)
    try:
        check_limits(scenario.config, limits)
    except ParameterError as error:
        raise ScenarioError.wrap(scenario.source, error) from None
    return _reseeded(scenario, seed)


def _reseeded(scenario: Scenario, seed: int | None) -> Scenario:
    if seed is None:
        return scenario
    try:
        config = dataclasses.replace(scenario.config, seed=seed)
    except ParameterError as error:
        raise ParameterError("--seed", error.reason, error.allowed) from None
    return dataclasses.replace(scenario, config=config)


def run(scenario: ScenarioSource, seed: int | None = None,
        on_step: Callable[[int, int], None] | None = None, limits: Limits = Limits(),
        baseline: bool = False, seeds: int = 0) -> RunResult:
    """Run a scenario to its horizon; ``on_step(done, total)`` is called after every step.

    A run larger than ``limits`` is refused before it starts; one whose numbers leave the floating-point
    range stops with :class:`~labrace.simulation.finite.OutOfRangeError`. ``baseline`` adds each lab's
    NPV alone and with independent labs (:attr:`RunResult.baseline`); ``seeds`` adds a study of that
    many seeds spawned from the scenario's seed (:attr:`RunResult.seeds`).
    """
    chosen = read_scenario(scenario, seed, limits)
    seeds = SEEDS.check(seeds)
    result = run_config(chosen.config, on_step, chosen.description, chosen.units)
    if baseline:
        result = result.with_baseline()
    return result.with_seeds(seeds) if seeds else result


def tournament(source: str | Path, out: str | Path, workers: int | None = None, dask: str | None = None,
               batch: int | None = None, limit: int | None = None, progress: bool = True) -> TournamentResult:
    """Play a tournament file (path or shipped name) into the resumable store in ``out`` and analyse it.

    Only runs missing from ``out/runs.parquet`` are played, so calling it again continues an interrupted
    tournament and a finished one plays nothing. ``workers`` defaults to all cores (0: this process);
    ``dask`` is a scheduler address; ``limit`` caps the new runs of this call.
    """
    plan = tournaments_package.plan_tournament(source, out)
    return tournaments_package.play_tournament(plan, workers, dask, batch, limit, progress)


def monte_carlo(scenario: ScenarioSource, samples: int, out: str | Path, workers: int = 0, progress: bool = True,
                limits: Limits = Limits(), figures: bool = True, force: bool = False):
    """``labrace run SCENARIO --samples N``: the Monte Carlo over the scenario's distributions (and seeds) into
    the resumable folder ``out``; returns a :class:`~labrace.uncertainty.montecarlo.MonteCarloResult`."""
    from labrace.uncertainty.run import monte_carlo as play

    return play(read_scenario(scenario, limits=limits), samples, out, workers, progress, limits, figures, force)


def sensitivity(scenario: ScenarioSource, out: str | Path, base: int = 64, workers: int = 0, progress: bool = True,
                limits: Limits = Limits(), figures: bool = True, force: bool = False):
    """``labrace sensitivity SCENARIO``: Sobol indices and tornado swings of the scenario's distributions into
    ``out``; returns a :class:`~labrace.uncertainty.sensitivity.SensitivityResult`."""
    from labrace.uncertainty.run import sensitivity as play

    return play(read_scenario(scenario, limits=limits), base, out, workers, progress, limits, figures, force)


def scenarios() -> dict[str, str]:
    """Shipped scenarios by name, with their descriptions."""
    return {name: " ".join(description.split()) for name, (_path, description) in shipped_scenarios().items()}


def shipped_tournaments() -> dict[str, str]:
    """Shipped tournaments by name, with their descriptions (``labrace.tournaments`` is the package)."""
    return {name: " ".join(str(tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")).split())
            for name, path in tournaments_package.shipped_tournaments().items()}


def policies() -> dict[str, dict[str, Any]]:
    """Every registered policy's metadata (description, parameters with defaults and ranges)."""
    return {name: policy_class(name).metadata() for name in policy_names()}


__all__ = ["Limits", "RunResult", "load_scenario", "policies", "read_scenario", "run", "scenarios",
           "shipped_tournaments", "tournament", "monte_carlo", "sensitivity"]
