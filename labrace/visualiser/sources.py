"""Where a browser session's scenario comes from: the server's starting scenario, a shipped name, a file
under the server's folder, or an uploaded file.

The page is served to whoever can reach it, so anything a visitor types or uploads is untrusted input: a
typed path may only name a shipped scenario or a ``.toml`` file inside the folder the server was started
in (never ``/etc/...`` or ``../``), and a file's bytes are refused before parsing when they are too many
or nested too deeply (``tomllib`` recurses once per nesting level). Every refusal is a
:class:`ParameterError`, which the page shows as one line. The operator's own choice (``labrace viz
SCENARIO``) is not restricted.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from labs.params import ParameterError
from labs.spec import LabSpec
from market.config import RaceConfig
from scenarios.loader import Scenario, read_scenario, shipped_scenarios
from scenarios.schema import validate

SCENARIO_ENV = "LABRACE_VIZ_SCENARIO"
PREFERRED_SCENARIO = "duopoly"
MAX_SCENARIO_BYTES = 256 * 1024
MAX_NESTING = 12
ALLOWED_PATHS = "a shipped scenario name or a .toml file inside the folder the server was started in"


def fallback_scenario() -> Scenario:
    """Two labs with the core's defaults, one planning and one constant: used when nothing is shipped."""
    config = RaceConfig(labs=(LabSpec.build("A"), LabSpec.build("B", policy="constant")), name="duopoly")
    return Scenario(config, "Two labs with the default parameters.", "<built in>")


def initial_scenario(source: str | None = None) -> Scenario:
    """The scenario a new browser session starts from.

    ``source`` (default: the ``LABRACE_VIZ_SCENARIO`` environment variable set by ``labrace viz``) is a
    scenario path or shipped name; without one the ``duopoly`` scenario (or the first shipped one) is used.
    """
    source = source if source is not None else os.environ.get(SCENARIO_ENV, "")
    if source:
        return read_scenario(source)
    shipped = shipped_scenarios()
    if PREFERRED_SCENARIO in shipped:
        return read_scenario(PREFERRED_SCENARIO)
    if shipped:
        return read_scenario(next(iter(shipped)))
    return fallback_scenario()


def nesting_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether tables and arrays in ``data`` nest more than ``limit`` levels (walked without recursion)."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _too_deep(filename: str) -> ParameterError:
    return ParameterError(filename, "tables or arrays are nested too deeply for a scenario",
                          f"at most {MAX_NESTING} levels")


def scenario_from_bytes(content: bytes, filename: str) -> Scenario:
    """A validated scenario from a file's bytes, refused in one line when too large, unreadable or too deep.

    A file without a ``name`` is named after the file (``my_race.toml`` -> ``my_race``).
    """
    if len(content) > MAX_SCENARIO_BYTES:
        raise ParameterError(filename, f"{len(content):,} bytes is too large for a scenario file",
                             f"at most {MAX_SCENARIO_BYTES:,} bytes")
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ParameterError(filename, f"not a readable TOML scenario: {error}", "a UTF-8 .toml file") from None
    except RecursionError:
        raise _too_deep(filename) from None
    if nesting_depth_exceeds(data, MAX_NESTING):
        raise _too_deep(filename)
    stem = filename.rsplit(".", 1)[0] or "scenario"
    return Scenario(validate(data, filename, default_name=stem), str(data.get("description", "")), filename)


def scenario_from_path_box(text: str, root: Path) -> Scenario:
    """The scenario a visitor typed: a shipped name, or a ``.toml`` file under ``root`` (relative to it)."""
    text = text.strip()
    if text in shipped_scenarios():
        return read_scenario(text)
    base = root.resolve()
    path = (base / text).resolve()
    if not path.is_relative_to(base) or path.suffix != ".toml":
        raise ParameterError("scenario file", f"{text!r} is not allowed", ALLOWED_PATHS)
    if not path.is_file():
        raise ParameterError("scenario file", f"{text!r}: no such file", ALLOWED_PATHS)
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ParameterError(text, "too large for a scenario file", f"at most {MAX_SCENARIO_BYTES:,} bytes")
    return scenario_from_bytes(path.read_bytes(), path.relative_to(base).as_posix())
