"""Scenario files: read TOML (a path or a shipped name) into a :class:`RaceConfig`, and write one back.

``config_to_toml`` writes the *fully resolved* scenario — every default filled in, replicated labs spelled
out — so that a run's ``scenario.toml`` records exactly what ran and loading it gives an equal
configuration (hence an identical run). Validation itself lives in :mod:`scenarios.schema`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any, Mapping

from labs.params import did_you_mean
from labs.spec import LAB_PARAMS
from market.config import RaceConfig
from scenarios.limits import Limits
from scenarios.schema import ScenarioError, scenario_units, validate
from scenarios.uncertainty import Uncertainty, split_uncertain
from scenarios.units import Units


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with the parts of the file that are not part of the run (its description).

    ``uncertainty`` holds the parameters the file gives as distributions (``config`` has their medians);
    ``None`` for a scenario that did not come from a file.
    """

    config: RaceConfig
    description: str
    source: str
    units: Units | None = None
    uncertainty: Uncertainty | None = None


def shipped_dir() -> Path:
    return Path(str(files("scenarios.shipped")))


def shipped_scenarios() -> dict[str, tuple[Path, str]]:
    """Shipped scenarios by name (file stem): ``(path, description)``, sorted by name."""
    out: dict[str, tuple[Path, str]] = {}
    for path in sorted(shipped_dir().glob("*.toml")):
        data = _parse(path)
        out[path.stem] = (path, str(data.get("description", "")).strip())
    return out


def _parse(path: Path) -> dict[str, Any]:
    """Parsed TOML of ``path``; file and syntax problems become errors naming the file (and line)."""
    if path.is_dir():
        raise ScenarioError(str(path), "", "is a directory, not a scenario file", "a .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), "", "no such file",
                            "an existing .toml file or a shipped name") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(str(path), "", f"cannot read file: {error}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(str(path), "", f"TOML syntax error: {error}") from None
    except ValueError as error:  # an integer literal longer than Python converts from text
        raise ScenarioError(str(path), "", f"TOML value refused: {error}", "integers of at most 64 bits") from None
    except RecursionError:
        raise nested_too_deeply(str(path)) from None


def read_scenario_data(source: str | Path) -> dict[str, Any]:
    """The parsed (not yet validated) TOML of a scenario file or shipped scenario name."""
    return _parse(resolve_source(source))


def nested_too_deeply(source: str) -> ScenarioError:
    """The error for arrays or inline tables nested deeper than the parser's (or a message's) recursion.

    ``tomllib`` parses nesting recursively and messages quote values with ``repr``, so a file nested
    thousands deep is refused as a whole rather than crashing somewhere inside.
    """
    return ScenarioError(source, "", "arrays or inline tables nested too deeply",
                         "a few levels of nesting, as in the shipped scenarios")


def resolve_source(source: str | Path) -> Path:
    """The file a source names: an existing file or anything path-like, else a shipped scenario's name.

    A bare name that is both a shipped scenario and a local directory (say, the results of
    ``labrace run duopoly --out duopoly``) means the shipped scenario.
    """
    path = Path(source)
    if path.is_file() or path.suffix == ".toml" or len(path.parts) > 1:
        return path
    shipped = shipped_scenarios()
    if str(source) in shipped:
        return shipped[str(source)][0]
    if path.exists():
        return path
    raise ScenarioError(str(source), "", f"no such file or shipped scenario{did_you_mean(source, shipped)}",
                        "a .toml path or one of " + ", ".join(shipped))


def read_scenario(source: str | Path, limits: Limits = Limits()) -> Scenario:
    """Load and validate a scenario file (path or shipped name), keeping its description.

    The work it asks for is checked against ``limits`` (see :mod:`scenarios.limits`).
    """
    path = resolve_source(source)
    data = _parse(path)
    try:
        uncertainty = split_uncertain(data, str(path), path.stem, limits)
    except RecursionError:
        raise nested_too_deeply(str(path)) from None
    config = config_from_dict(uncertainty.nominal, str(path), default_name=path.stem, limits=limits)
    units = scenario_units(data, str(path))
    return Scenario(config, str(data.get("description", "")), str(path), units=units, uncertainty=uncertainty)


def load_scenario(source: str | Path, limits: Limits = Limits()) -> RaceConfig:
    """The :class:`RaceConfig` of a scenario file path or shipped scenario name."""
    return read_scenario(source, limits).config


def config_from_dict(data: Mapping[str, Any], source: str = "<dict>", default_name: str = "custom",
                     limits: Limits = Limits()) -> RaceConfig:
    """Validate plain scenario data (the structure of a parsed scenario file) into a config.

    Parameters given as distributions are checked and take their medians (:func:`read_scenario` keeps
    the distributions themselves, for ``--samples`` and ``labrace sensitivity``).
    """
    try:
        return validate(split_uncertain(data, source, default_name, limits).nominal, source, default_name, limits)
    except RecursionError:
        raise nested_too_deeply(source) from None


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    """A TOML basic string: quote, backslash and every control character (TOML forbids them raw) escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    """One TOML value (finite numbers, booleans and strings are all a resolved scenario holds)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # shortest round-tripping form; always contains '.', 'e' (finite values only)
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a TOML value")


def _pairs(items: Mapping[str, Any]) -> list[str]:
    """``key = value`` lines; ``None`` (an omitted optional parameter) is left out."""
    return [f"{key} = {_value(value)}" for key, value in items.items() if value is not None]


def config_to_toml(config: RaceConfig, description: str = "", units: Units | None = None) -> str:
    """The fully resolved scenario as TOML; ``load`` of it gives a config equal to ``config``.

    ``units``, when given, is written as the ``[units]`` table (it is not part of the config).
    """
    data = config.to_dict()
    lines = _pairs({"name": data["name"], "description": description,
                    "horizon": data["horizon"], "dt": data["dt"], "seed": data["seed"]})
    if units is not None:
        lines += ["", "[units]", *_pairs(units.to_dict())]
    for table in ("market", "shocks"):
        lines += ["", f"[{table}]", *_pairs(data[table])]
    for lab in data["labs"]:
        head = {key: lab[key] for key in ("name", *LAB_PARAMS, "law")}
        lines += ["", "[[labs]]", *_pairs(head), "[labs.law_params]", *_pairs(lab["law_params"]),
                  "[labs.policy]", *_pairs({"name": lab["policy"]["name"]}),
                  "[labs.policy.params]", *_pairs(lab["policy"]["params"])]
    return "\n".join(lines) + "\n"
