"""Validation of scenario data (parsed TOML) into a :class:`RaceConfig`.

The values are validated where they are declared — by the constructors of :class:`RaceConfig`,
:class:`MarketParams`, :class:`ShockParams` and :class:`LabSpec`, by each law's ``params`` and by each
policy's ``params`` in the registry — so a range lives in exactly one place and is checked once. This
module only adds the structure around them (which tables exist, which keys a lab entry may have,
replication with ``count``) and turns every problem into a :class:`ScenarioError` that names the file,
the field path and what would have been accepted.

Paths use zero-based indices into the ``[[labs]]`` array, e.g. ``labs[1].policy.params.replan_every``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from labs.laws import LAWS
from labs.params import Param, ParameterError, did_you_mean, printable
from labs.spec import LAB_PARAMS, LabSpec
from market.config import RUN_PARAMS, RaceConfig, ShockParams
from market.params import MarketParams
from policies.registry import resolve_policy
from scenarios.limits import Limits, check_limits, too_many_labs
from scenarios.units import Units

DEFAULT_POLICY = "pontryagin"

COUNT = Param("count", 1, "number of identical copies of this lab (names get -1, -2, ... suffixes)",
              kind="int", low=1, high=10000)

# Top-level keys and lab-entry keys that are not numeric Param specs, with what each holds.
TOP_LEVEL_KEYS: dict[str, str] = {
    "name": "scenario name (default: the file name)",
    "description": "free text: what the scenario shows and why",
    **{key: spec.doc for key, spec in RUN_PARAMS.items()},
    "market": "table of market parameters",
    "shocks": "table of stochastic shock parameters",
    "labs": "array of lab tables [[labs]]",
    "units": "table of real units: H100e per compute unit, US dollars per revenue unit, calendar year at t = 0",
}
LAB_KEYS: dict[str, str] = {
    "name": "lab name (default: lab<index+1>)",
    "count": COUNT.doc,
    **{key: spec.doc for key, spec in LAB_PARAMS.items()},
    "law": "capability law, one of " + ", ".join(LAWS),
    "law_params": "table of the law's parameters",
    "policy": "registry name, or a table with name and params",
}
POLICY_KEYS: dict[str, str] = {"name": "registry name of the policy", "params": "table of its parameters"}


class ScenarioError(ParameterError):
    """A :class:`ParameterError` that also names the scenario file it came from.

    ``path`` is the field path inside the file (empty for problems with the file itself, such as a
    missing file or a TOML syntax error); ``source`` is the file name or ``<dict>``.
    """

    def __init__(self, source: str, path: str, message: str, allowed: str = "") -> None:
        super().__init__(path, message, allowed)
        self.source = source

    @classmethod
    def wrap(cls, source: str, error: ParameterError) -> "ScenarioError":
        if isinstance(error, ScenarioError):
            return error
        return cls(source, error.path, error.reason, error.allowed)

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        text = f"{where}: {self.reason}"
        return printable(text + (f" (allowed: {self.allowed})" if self.allowed else ""))


def check_keys(given: Mapping[str, Any], allowed: Mapping[str, str], prefix: str) -> None:
    """Reject keys not in ``allowed``, suggesting the closest valid one."""
    for key in given:
        if key not in allowed:
            raise ParameterError(f"{prefix}.{key}" if prefix else str(key),
                                 f"unknown key{did_you_mean(key, allowed)}", ", ".join(allowed))


def expect_table(value: Any, path: str) -> Mapping[str, Any]:
    """``value`` if it is a TOML table, else an error naming ``path``."""
    if not isinstance(value, Mapping):
        raise ParameterError(path, f"expected a table, got {type(value).__name__} {value!r}",
                             f"a table [{path}] of parameters")
    return value


def expect_text(value: Any, path: str, nonempty: bool = True) -> str:
    """``value`` if it is a (non-empty) string, else an error naming ``path``."""
    if not isinstance(value, str) or (nonempty and not value.strip()):
        raise ParameterError(path, f"expected a{' non-empty' if nonempty else ''} string, got {value!r}",
                             "a quoted string")
    return value


def _policy(value: Any, path: str):
    """A policy given as a bare registry name or as ``{name, params}``; defaults filled in."""
    if isinstance(value, str):
        try:
            return resolve_policy(value, {}, path)
        except ParameterError as error:
            # a bare name has no ``.name`` sub-field in the file; report the field the user wrote
            raise ParameterError(path, error.reason, error.allowed) from None
    table = expect_table(value, path)
    check_keys(table, POLICY_KEYS, path)
    name = expect_text(table.get("name", DEFAULT_POLICY), f"{path}.name")
    params = expect_table(table.get("params", {}), f"{path}.params")
    return resolve_policy(name, params, path)


def _lab_entries(entry: Mapping[str, Any], index: int, before: int, limits: Limits) -> list[LabSpec]:
    """The lab (or ``count`` identical labs) described by one ``[[labs]]`` entry.

    ``before`` labs came from earlier entries; a ``count`` that takes the total past ``limits.labs`` is
    refused before any copy is made.
    """
    path = f"labs[{index}]"
    entry = expect_table(entry, path)
    check_keys(entry, LAB_KEYS, path)
    name = expect_text(entry.get("name", f"lab{index + 1}"), f"{path}.name")
    count = COUNT.check(entry.get("count", 1), f"{path}.count")
    if before + count > limits.labs:
        raise ParameterError(f"{path}.count", *too_many_labs(count, before, limits.labs))
    law_params = expect_table(entry.get("law_params", {}), f"{path}.law_params")
    policy = _policy(entry.get("policy", DEFAULT_POLICY), f"{path}.policy")
    given = {key: entry[key] for key in (*LAB_PARAMS, "law") if key in entry}
    names = [name] if count == 1 else [f"{name}-{k}" for k in range(1, count + 1)]
    try:
        first = LabSpec(name=names[0], law_params=tuple(law_params.items()), policy=policy, **given)
    except ParameterError as error:
        raise error.prefixed(path) from None
    return [first] + [replace(first, name=n) for n in names[1:]]


def _labs(value: Any, limits: Limits) -> tuple[tuple[LabSpec, ...], list[int]]:
    """The labs and, for each, the index of the ``[[labs]]`` entry it came from."""
    if value is None:
        return (LabSpec(name="lab1", policy=resolve_policy(DEFAULT_POLICY)),), [0]
    if not isinstance(value, list) or not value:
        raise ParameterError("labs", f"expected a non-empty array of lab tables, got {value!r}",
                             "one or more [[labs]] tables")
    labs: list[LabSpec] = []
    entries: list[int] = []
    for index, entry in enumerate(value):
        made = _lab_entries(entry, index, len(labs), limits)
        labs += made
        entries += [index] * len(made)
    return tuple(labs), entries


_LAB_PATH = re.compile(r"^labs\[(\d+)\]")


def _entry_path(error: ParameterError, entries: list[int]) -> ParameterError:
    """``error`` with a lab's index (after ``count`` expansion) replaced by its ``[[labs]]`` entry's."""
    match = _LAB_PATH.match(error.path)
    if not match:
        return error
    path = f"labs[{entries[int(match.group(1))]}]" + error.path[match.end():]
    return ParameterError(path, error.reason, error.allowed)


def validate(data: Mapping[str, Any], source: str = "<dict>", default_name: str = "custom",
             limits: Limits = Limits()) -> RaceConfig:
    """Check every field of ``data`` and build the fully resolved :class:`RaceConfig`.

    Raises :class:`ScenarioError` naming ``source`` and the field path of the first problem found,
    including a run larger than ``limits`` allow (checked before anything is allocated for it).
    """
    try:
        data = expect_table(data, "scenario")
        check_keys(data, TOP_LEVEL_KEYS, "")
        name = expect_text(data.get("name", default_name), "name")
        if "description" in data:
            expect_text(data["description"], "description", nonempty=False)
        run = {key: data[key] for key in RUN_PARAMS if key in data}
        market = MarketParams.from_dict(expect_table(data.get("market", {}), "market"), "market")
        shocks = ShockParams.from_dict(expect_table(data.get("shocks", {}), "shocks"), "shocks")
        if "units" in data:
            Units.from_dict(expect_table(data["units"], "units"))
        labs, entries = _labs(data.get("labs"), limits)
        try:
            config = RaceConfig(labs=labs, market=market, shocks=shocks, name=name, **run)
        except ParameterError as error:
            raise _entry_path(error, entries) from None
        check_limits(config, limits, entries)
        return config
    except ParameterError as error:
        raise ScenarioError.wrap(source, error) from None


def scenario_units(data: Mapping[str, Any], source: str = "<dict>") -> Units | None:
    """The scenario's ``[units]`` table as :class:`Units`, or ``None`` when it declares none.

    Errors name ``source`` and the field (``units.start_year``) like every other scenario value.
    """
    if "units" not in data:
        return None
    try:
        return Units.from_dict(expect_table(data["units"], "units"))
    except ParameterError as error:
        raise ScenarioError.wrap(source, error) from None
