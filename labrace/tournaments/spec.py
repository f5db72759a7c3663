"""Tournament files: entrants, line-up size, base scenarios, seeds and sweeps, validated like scenarios.

A tournament file is TOML::

    name = "quick"                      # default: the file name
    description = "..."
    lineup_size = 2                     # labs per line-up (omit: each scenario's own lab count)
    seating = "permutations"            # or "rotations"
    scenarios = ["duopoly", "my.toml"]  # shipped names, paths (relative to this file) or inline tables
    seeds = 2                           # a count (seeds 0..n-1) or a list of seeds

    [[entrants]]
    policy = "constant"                 # registry name
    params = { alpha = 0.3 }            # its parameters (defaults filled in)
    label = "steady 30%"                # optional display name (default: the policy's label)

    [sweep.grid]                        # every combination of these values
    "market.delta0" = [0.0, 0.5]
    [sweep.sample]                      # plus n seeded Latin-hypercube samples over ranges
    n = 4
    seed = 1
    ranges = { "labs.discount" = [0.03, 0.08] }   # uniform; or a distribution table, as in scenarios:
    # ranges = { "market.delta0" = { distribution = "lognormal", p5 = 0.5, median = 1.0, p95 = 3.0 } }

Every problem raises :class:`ScenarioError` naming the file and the field path, e.g.
``entrants[1].params.alpha`` or ``sweep.grid."market.delta0"[2]``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Mapping

from labs.params import Param, ParameterError, did_you_mean
from labs.spec import PolicySpec
from market.config import RaceConfig
from policies.registry import resolve_policy
from scenarios.distributions import Distribution, Uniform, is_distribution, parse_distribution
from scenarios.loader import config_from_dict, load_scenario
from scenarios.schema import ScenarioError, check_keys, expect_table, expect_text
from labrace.tournaments.sweeps import Sweep, SweepPoint, Target, parse_target

SEATINGS: dict[str, str] = {
    "permutations": "every ordering of every line-up (no seat favoured; n^k line-ups)",
    "rotations": "each line-up in every cyclic rotation (each member takes each seat; fewer runs)",
}
TOP_LEVEL_KEYS: dict[str, str] = {
    "name": "tournament name (default: the file name)",
    "description": "free text: what the tournament asks",
    "lineup_size": "labs per line-up (omit: each scenario's lab count)",
    "seating": "how seats are assigned: " + ", ".join(SEATINGS),
    "scenarios": "base scenarios: shipped names, paths or inline scenario tables",
    "seeds": "replications: a count n (seeds 0..n-1) or a list of seeds",
    "entrants": "array of entrant tables [[entrants]]",
    "sweep": "table with optional grid and sample tables",
}
ENTRANT_KEYS = {"policy": "registry name", "params": "table of its parameters", "label": "display name"}
SWEEP_KEYS = {"grid": "parameter -> list of values", "sample": "n, seed and ranges for Monte-Carlo samples"}
SAMPLE_KEYS = {"n": "number of samples", "seed": "seed of the sampler",
               "ranges": "parameter -> [low, high] (uniform) or a distribution table"}
LINEUP_SIZE = Param("lineup_size", 2, "labs per line-up", kind="int", low=1, high=16)
SEED = Param("seeds", 0, "a seed", kind="int", low=0)
SEED_COUNT = Param("seeds", 1, "number of replications", kind="int", low=1, high=100000)
SAMPLE_N = Param("n", 0, "number of samples", kind="int", low=0, high=100000)


@dataclass(frozen=True)
class Entrant:
    """A policy entered in the tournament, shown under ``label``."""

    label: str
    policy: PolicySpec


@dataclass(frozen=True)
class BaseScenario:
    """A scenario whose labs give the seats (compute, law, discount...); ``name`` labels its results."""

    name: str
    config: RaceConfig


@dataclass(frozen=True)
class TournamentSpec:
    """A validated tournament: who plays, where, how often and under which parameter variations."""

    name: str
    description: str
    source: str
    entrants: tuple[Entrant, ...]
    scenarios: tuple[BaseScenario, ...]
    seeds: tuple[int, ...]
    sweep: Sweep
    lineup_size: int | None
    seating: str

    @property
    def points(self) -> tuple[SweepPoint, ...]:
        """Every sweep point, listed (check ``sweep.size`` first: it can be astronomically large)."""
        return self.sweep.points()


def shipped_tournaments_dir() -> Path:
    return Path(str(files("scenarios.shipped"))) / "tournaments"


def shipped_tournaments() -> dict[str, Path]:
    """Shipped tournament files by name (file stem)."""
    return {p.stem: p for p in sorted(shipped_tournaments_dir().glob("*.toml"))}


def resolve_tournament_source(source: str | Path) -> Path:
    """An existing path, else a shipped tournament's name (with a closest-name suggestion)."""
    path = Path(source)
    if path.exists() or path.suffix == ".toml" or len(path.parts) > 1:
        return path
    shipped = shipped_tournaments()
    if str(source) in shipped:
        return shipped[str(source)]
    raise ScenarioError(str(source), "", f"no such file or shipped tournament{did_you_mean(source, shipped)}",
                        "a .toml path or one of " + ", ".join(shipped))


def load_tournament(source: str | Path) -> TournamentSpec:
    """Read and validate a tournament file (path or shipped name)."""
    path = resolve_tournament_source(source)
    if not path.is_file():
        raise ScenarioError(str(path), "", "no such file", "an existing .toml file or a shipped tournament")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(str(path), "", f"not UTF-8 text (byte {error.start}: {error.reason})",
                            "a TOML file encoded as UTF-8") from None
    except OSError as error:
        raise ScenarioError(str(path), "", f"cannot read file: {error.strerror or error}") from None
    # tomllib parses nested arrays and inline tables recursively, and messages quote values with repr():
    # nesting deeper than the interpreter's stack is refused as a whole rather than crashing somewhere.
    try:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ScenarioError(str(path), "", f"TOML syntax error: {error}") from None
        return tournament_from_dict(data, str(path), default_name=path.stem, base_dir=path.parent)
    except RecursionError:
        raise ScenarioError(str(path), "", "arrays or inline tables nested too deeply",
                            "a few levels of nesting, as in docs/tournaments.md") from None


def tournament_from_dict(data: Mapping[str, Any], source: str = "<dict>", default_name: str = "tournament",
                         base_dir: Path | None = None) -> TournamentSpec:
    """Validate parsed tournament data; errors name ``source`` and the field path."""
    try:
        data = expect_table(data, "tournament")
        check_keys(data, TOP_LEVEL_KEYS, "")
        name = expect_text(data.get("name", default_name), "name")
        description = expect_text(data.get("description", ""), "description", nonempty=False)
        lineup = data.get("lineup_size")
        lineup_size = None if lineup is None else LINEUP_SIZE.check(lineup, "lineup_size")
        seating = data.get("seating", "permutations")
        if seating not in SEATINGS:
            raise ParameterError("seating", f"unknown seating {seating!r}", "one of " + ", ".join(SEATINGS))
        entrants = _entrants(data.get("entrants"))
        scenarios = _scenarios(data.get("scenarios"), base_dir or Path.cwd())
        seeds = _seeds(data.get("seeds", 1))
        sweep = _sweep(expect_table(data.get("sweep", {}), "sweep"), scenarios)
    except ScenarioError:
        raise
    except ParameterError as error:
        raise ScenarioError.wrap(source, error) from None
    return TournamentSpec(name, description, source, entrants, scenarios, seeds, sweep, lineup_size, seating)


def _entrants(value: Any) -> tuple[Entrant, ...]:
    if not isinstance(value, list) or not value:
        raise ParameterError("entrants", "expected a non-empty array of entrant tables",
                             "one or more [[entrants]] tables with a policy name")
    out: list[Entrant] = []
    for index, entry in enumerate(value):
        path = f"entrants[{index}]"
        entry = expect_table(entry, path)
        check_keys(entry, ENTRANT_KEYS, path)
        if "policy" not in entry:
            raise ParameterError(f"{path}.policy", "a policy name is required", "a registered policy name")
        name = expect_text(entry["policy"], f"{path}.policy")
        try:
            spec = resolve_policy(name, expect_table(entry.get("params", {}), f"{path}.params"), path)
        except ParameterError as error:
            # the file has ``policy = "..."``, not ``policy.name``: report the field the user wrote
            field = f"{path}.policy" if error.path == f"{path}.name" else error.path
            raise ParameterError(field, error.reason, error.allowed) from None
        label = expect_text(entry.get("label", spec.label()), f"{path}.label")
        for k, other in enumerate(out):
            if other.policy == spec or other.label == label:
                raise ParameterError(path, f"duplicate of entrants[{k}] ({other.label})",
                                     "entrants with distinct policies/parameters and labels")
        out.append(Entrant(label, spec))
    return tuple(out)


def _scenarios(value: Any, base_dir: Path) -> tuple[BaseScenario, ...]:
    if not isinstance(value, list) or not value:
        raise ParameterError("scenarios", "expected a non-empty list of scenarios",
                             "shipped scenario names, .toml paths or inline scenario tables")
    out: list[BaseScenario] = []
    for index, entry in enumerate(value):
        path = f"scenarios[{index}]"
        try:
            if isinstance(entry, Mapping):
                config = config_from_dict(entry, f"{path} (inline)")
            elif isinstance(entry, str):
                candidate = base_dir / entry
                config = load_scenario(candidate if candidate.exists() else entry)
            else:
                raise ParameterError(path, f"expected a name, path or table, got {entry!r}",
                                     "a shipped scenario name, a .toml path or an inline table")
        except ScenarioError as error:
            where = f"{error.source}: {error.path}" if error.path else error.source
            raise ParameterError(path, f"{where}: {error.reason}", error.allowed) from None
        if any(s.name == config.name for s in out):
            raise ParameterError(path, f"duplicate scenario name {config.name!r}", "distinct scenario names")
        out.append(BaseScenario(config.name, config))
    return tuple(out)


def _seeds(value: Any) -> tuple[int, ...]:
    if isinstance(value, list):
        if not value:
            raise ParameterError("seeds", "empty list", "a count or a non-empty list of seeds")
        seeds = tuple(SEED.check(v, f"seeds[{i}]") for i, v in enumerate(value))
        if len(set(seeds)) != len(seeds):
            raise ParameterError("seeds", "repeated seed", "distinct seeds")
        return seeds
    return tuple(range(SEED_COUNT.check(value, "seeds")))


def _distribution(target: Target, value: Any, path: str) -> Distribution:
    """A sampled parameter's distribution: ``[low, high]`` (uniform) or a distribution table whose lowest
    and highest values the parameter accepts."""
    if is_distribution(value):
        distribution = parse_distribution(value, path)
        for end, bound in zip(("lowest", "highest"), distribution.support):
            try:
                target.check(bound, path)
            except ParameterError as error:
                raise ParameterError(path, f"{distribution.describe()} reaches {bound:.6g} as its {end} value: "
                                     f"{error.reason}", error.allowed) from None
        return distribution
    if not (isinstance(value, list) and len(value) == 2):
        raise ParameterError(path, f"expected [low, high] or a distribution table, got {value!r}",
                             "[low, high] or { distribution = ..., ... }")
    low, high = (target.check(b, f"{path}[{i}]") for i, b in enumerate(value))
    if not isinstance(low, float) or not low < high:
        raise ParameterError(path, f"need numbers with low < high, got {value!r}", "[low, high], low < high")
    return Uniform(low, high)


def _sweep(table: Mapping[str, Any], scenarios: tuple[BaseScenario, ...]) -> Sweep:
    check_keys(table, SWEEP_KEYS, "sweep")
    grid: dict[Target, list[Any]] = {}
    for key, values in expect_table(table.get("grid", {}), "sweep.grid").items():
        path = f'sweep.grid."{key}"'
        target = parse_target(key, path, scenarios)
        if not isinstance(values, list) or not values:
            raise ParameterError(path, f"expected a non-empty list of values, got {values!r}", "[v1, v2, ...]")
        checked = [target.check(v, f"{path}[{i}]") for i, v in enumerate(values)]
        if len(set(checked)) != len(checked):
            raise ParameterError(path, "repeated value", "distinct values")
        grid[target] = checked
    sample = expect_table(table.get("sample", {}), "sweep.sample")
    check_keys(sample, SAMPLE_KEYS, "sweep.sample")
    n = SAMPLE_N.check(sample.get("n", 0), "sweep.sample.n")
    seed = SEED.check(sample.get("seed", 0), "sweep.sample.seed")
    ranges: dict[Target, Distribution] = {}
    for key, bounds in expect_table(sample.get("ranges", {}), "sweep.sample.ranges").items():
        path = f'sweep.sample.ranges."{key}"'
        target = parse_target(key, path, scenarios)
        if target in grid:
            raise ParameterError(path, "already swept by sweep.grid", "a parameter not in the grid")
        ranges[target] = _distribution(target, bounds, path)
    if ranges and n == 0:
        raise ParameterError("sweep.sample.n", "ranges are given but n is 0", "an integer >= 1")
    return Sweep(tuple((t, tuple(v)) for t, v in grid.items()), tuple(ranges.items()), n, seed)
