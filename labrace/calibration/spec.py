"""Calibration files: which scenario, which figures, which parameters the fit may move and which it probes.

A calibration file is TOML (shipped ones live in ``scenarios/shipped/calibrations/``)::

    scenario = "frontier_2025"          # a shipped scenario name or a path relative to this file
    figures = "frontier"                # the shipped figures, or a path to a figures .csv
    targets = ["compute", "revenue"]    # figure kinds fitted; other measurable kinds are compared only
    point_sigma = 0.25                  # log standard deviation of a figure without a published range

    [[free]]                            # moved by the fit
    parameter = "compute0"              # a lab key ("policy.params.alpha", "law_params.beta_T") ...
    labs = ["OpenAI", "Anthropic"]      # ... one parameter per lab listed, or "*": one shared by all labs
    scale = "log"                       # log (positive), logit (in (0, 1)) or linear

    [[probe]]                           # held at the scenario's value; the fit reports whether data pin it
    parameter = "market.gamma"          # a top-level path when no labs are given
    scale = "log"

Every calibrated value must be written in the scenario file itself (the fit changes the file's values,
so a default it cannot see is refused). Problems raise :class:`ScenarioError` naming the file and field.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from labs.params import Param, ParameterError, did_you_mean
from scenarios.figures import FigureSet, load_figures
from scenarios.loader import read_scenario, read_scenario_data, resolve_source
from scenarios.schema import ScenarioError
from scenarios.units import Units
from labrace.calibration.measures import MEASURES

SCALES = ("log", "logit", "linear")
KEYS = {"scenario": "scenario name or path", "figures": "'frontier' or a path to a figures .csv",
        "targets": "figure kinds to fit", "point_sigma": "log standard deviation of a point figure",
        "free": "parameters the fit moves", "probe": "parameters whose identification is checked",
        "description": "free text"}
ENTRY_KEYS = {"parameter": "a path in the scenario", "labs": "lab names or '*'", "scale": ", ".join(SCALES)}
POINT_SIGMA = Param("point_sigma", 0.25, "log standard deviation of a figure without a published range",
                    low=0.0, low_open=True, high=5.0)


@dataclass(frozen=True)
class Parameter:
    """One calibrated number: a name, the scenario paths it sets (several when shared) and its scale."""

    name: str
    paths: tuple[tuple[Any, ...], ...]
    scale: str

    def to_internal(self, value: float) -> float:
        if self.scale == "log":
            return math.log(value)
        if self.scale == "logit":
            return math.log(value / (1.0 - value))
        return value

    def to_value(self, internal: float) -> float:
        if self.scale == "log":
            return math.exp(internal)
        if self.scale == "logit":
            return 1.0 / (1.0 + math.exp(-internal))
        return internal


@dataclass(frozen=True)
class CalibrationSpec:
    """A validated calibration: the scenario's data, its units, the figures, targets and parameters."""

    source: str
    name: str
    scenario_source: str
    data: dict[str, Any]
    units: Units
    figures: FigureSet
    targets: tuple[str, ...]
    point_sigma: float
    free: tuple[Parameter, ...]
    probe: tuple[Parameter, ...]

    def value(self, parameter: Parameter, data: dict[str, Any] | None = None) -> float:
        return float(_get(self.data if data is None else data, parameter.paths[0]))

    def with_values(self, values: dict[Parameter, float]) -> dict[str, Any]:
        """A copy of the scenario data with each parameter's paths set to its value."""
        data = copy.deepcopy(self.data)
        for parameter, value in values.items():
            for path in parameter.paths:
                _set(data, path, value)
        return data


def shipped_calibrations() -> dict[str, Path]:
    folder = Path(str(files("scenarios.shipped"))) / "calibrations"
    return {path.stem: path for path in sorted(folder.glob("*.toml"))}


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: tuple[Any, ...], value: float) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _lab_index(data: dict[str, Any], name: str) -> int | None:
    for index, entry in enumerate(data.get("labs", [])):
        if isinstance(entry, dict) and entry.get("name") == name:
            return index
    return None


def _entry(entry: Any, field: str, data: dict[str, Any], source: str) -> list[Parameter]:
    if not isinstance(entry, dict):
        raise ScenarioError(source, field, "expected a table", "a [[free]] or [[probe]] table")
    for key in entry:
        if key not in ENTRY_KEYS:
            raise ScenarioError(source, f"{field}.{key}", f"unknown key{did_you_mean(key, ENTRY_KEYS)}",
                                ", ".join(ENTRY_KEYS))
    parameter = entry.get("parameter")
    if not isinstance(parameter, str) or not re.fullmatch(r"[A-Za-z_][\w.]*", parameter):
        raise ScenarioError(source, f"{field}.parameter", f"expected a dotted path, got {parameter!r}",
                            "e.g. 'market.omega' or 'policy.params.alpha'")
    scale = entry.get("scale", "log")
    if scale not in SCALES:
        raise ScenarioError(source, f"{field}.scale", f"unknown scale {scale!r}", ", ".join(SCALES))
    keys = tuple(parameter.split("."))
    labs = entry.get("labs")
    if labs is None:
        groups = [(parameter, [keys])]
    else:
        names = [lab.get("name") for lab in data.get("labs", []) if isinstance(lab, dict)]
        chosen = names if labs == "*" else labs
        if not isinstance(chosen, list) or not chosen or not all(isinstance(n, str) for n in chosen):
            raise ScenarioError(source, f"{field}.labs", f"expected lab names or '*', got {labs!r}",
                                "a list of the scenario's lab names, or '*'")
        paths = []
        for name in chosen:
            index = _lab_index(data, name)
            if index is None:
                raise ScenarioError(source, f"{field}.labs", f"no lab named {name!r}{did_you_mean(name, names)}",
                                    ", ".join(str(n) for n in names))
            paths.append(("labs", index, *keys))
        groups = ([(f"{parameter} (all labs)", paths)] if labs == "*"
                  else [(f"{name}.{parameter}", [path]) for name, path in zip(chosen, paths)])
    out = []
    for name, paths in groups:
        for path in paths:
            try:
                value = _get(data, path)
            except (KeyError, IndexError, TypeError):
                raise ScenarioError(source, f"{field}.parameter",
                                    f"the scenario does not state {name} explicitly",
                                    "a value written in the scenario file") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ScenarioError(source, f"{field}.parameter", f"{name} is {value!r}, not a number", "a number")
            if (scale == "log" and value <= 0) or (scale == "logit" and not 0 < value < 1):
                raise ScenarioError(source, f"{field}.scale", f"{name} = {value!r} is outside the {scale} scale",
                                    "log: > 0; logit: in (0, 1); or linear")
        out.append(Parameter(name, tuple(paths), scale))
    return out


def _entries(value: Any, field: str, data: dict[str, Any], source: str) -> tuple[Parameter, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ScenarioError(source, field, "expected an array of tables", f"[[{field}]] tables")
    return tuple(p for index, entry in enumerate(value) for p in _entry(entry, f"{field}[{index}]", data, source))


def read_calibration(source: str | Path) -> CalibrationSpec:
    """Load and validate a calibration file (a path or a shipped calibration's name)."""
    shipped = shipped_calibrations()
    path = shipped[str(source)] if str(source) in shipped else Path(source)
    where = str(path)
    spec = read_scenario_data(path)
    for key in spec:
        if key not in KEYS:
            raise ScenarioError(where, str(key), f"unknown key{did_you_mean(key, KEYS)}", ", ".join(KEYS))
    scenario_name = spec.get("scenario")
    if not isinstance(scenario_name, str) or not scenario_name:
        raise ScenarioError(where, "scenario", "a scenario is required", "a shipped scenario name or a path")
    relative = path.parent / scenario_name
    scenario_path = relative if relative.suffix == ".toml" and relative.is_file() else resolve_source(scenario_name)
    scenario = read_scenario(scenario_path)
    if scenario.units is None:
        raise ScenarioError(where, "scenario", f"{scenario_path} declares no [units] table",
                            "a scenario with [units] (the figures are in real units)")
    figures_name = spec.get("figures", "frontier")
    if not isinstance(figures_name, str):
        raise ScenarioError(where, "figures", f"expected a string, got {figures_name!r}", KEYS["figures"])
    figures = load_figures(None if figures_name == "frontier" else path.parent / figures_name)
    targets = spec.get("targets", [])
    if not isinstance(targets, list) or not targets:
        raise ScenarioError(where, "targets", f"expected a non-empty list, got {targets!r}", ", ".join(MEASURES))
    for index, kind in enumerate(targets):
        if kind not in MEASURES:
            raise ScenarioError(where, f"targets[{index}]", f"no model measure for {kind!r}{did_you_mean(kind, MEASURES)}",
                                ", ".join(MEASURES))
    try:
        point_sigma = POINT_SIGMA.check(spec.get("point_sigma", POINT_SIGMA.default), "point_sigma")
    except ParameterError as error:
        raise ScenarioError.wrap(where, error) from None
    data = read_scenario_data(scenario_path)
    free = _entries(spec.get("free"), "free", data, where)
    probe = _entries(spec.get("probe"), "probe", data, where)
    if not free:
        raise ScenarioError(where, "free", "no free parameter", "one or more [[free]] tables")
    names = [p.name for p in free + probe]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ScenarioError(where, "probe", f"{duplicate} is listed twice", "each parameter once")
    return CalibrationSpec(where, path.stem, str(scenario_path), data, scenario.units, figures, tuple(targets),
                           point_sigma, free, probe)
