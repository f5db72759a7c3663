"""Declarative parameter specifications shared by labs, markets and policies.

Every tunable number in labrace is described once by a :class:`Param`: its default, its allowed range and
a one-line meaning. The same specification validates constructor arguments (raising an error that names
the parameter), drives scenario-file validation, fills the visualiser's sliders and documents the
registry. Keeping the range in one place is what lets a bad scenario file be rejected with the exact
allowed values instead of a NaN a thousand steps later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any, Iterable, Mapping


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the valid choice closest to a misspelt ``name``, else ``""``."""
    hint = get_close_matches(str(name), list(choices), n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


class ParameterError(ValueError):
    """A parameter is missing, of the wrong type or outside its allowed range.

    ``path`` names the parameter (e.g. ``epsilon`` or ``labs[1].policy.params.k``) so that callers can
    report where the problem is; ``allowed`` says what would have been accepted.
    """

    def __init__(self, path: str, message: str, allowed: str = "") -> None:
        self.path = path
        self.reason = message
        self.allowed = allowed
        text = f"{path}: {message}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)

    def prefixed(self, prefix: str) -> "ParameterError":
        """The same error with its path nested under ``prefix``."""
        joined = f"{prefix}.{self.path}" if prefix else self.path
        return ParameterError(joined, self.reason, self.allowed)


@dataclass(frozen=True)
class Param:
    """One parameter: kind, default, range and meaning.

    ``kind`` is ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``. Numeric bounds are inclusive unless
    ``low_open``/``high_open`` is set; ``None`` means unbounded. ``default=None`` with ``optional=True``
    marks a parameter whose absence means "not used" (e.g. no data cap).
    """

    name: str
    default: Any
    doc: str
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False

    def allowed(self) -> str:
        """Human-readable description of the accepted values."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "-inf" if self.low is None else repr(self.low)
        hi = "inf" if self.high is None else repr(self.high)
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        kind = "an integer" if self.kind == "int" else "a number"
        text = f"{kind} in {left}{lo}, {hi}{right}"
        return text + (" or omitted" if self.optional else "")

    def check(self, value: Any, path: str | None = None) -> Any:
        """Return ``value`` converted to this parameter's kind, or raise :class:`ParameterError`."""
        where = path or self.name
        if value is None:
            if self.optional:
                return None
            raise ParameterError(where, "a value is required", self.allowed())
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParameterError(where, f"expected true or false, got {value!r}", self.allowed())
            return value
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(where, f"unknown value {value!r}", self.allowed())
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(where, f"expected a number, got {type(value).__name__} {value!r}",
                                 self.allowed())
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ParameterError(where, f"expected an integer, got {value!r}", self.allowed())
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ParameterError(where, f"must be finite, got {value!r}", self.allowed())
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise ParameterError(where, f"{value!r} is out of range", self.allowed())
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise ParameterError(where, f"{value!r} is out of range", self.allowed())
        return value


def resolve_params(specs: Mapping[str, Param], given: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Fill defaults and validate ``given`` against ``specs``; unknown names are errors.

    Returns a new dict with every specified parameter present. Errors name ``prefix.name`` and, for an
    unknown name, suggest the closest valid one.
    """
    out: dict[str, Any] = {}
    for key in given:
        if key not in specs:
            suggestion = did_you_mean(key, specs)
            allowed = ", ".join(specs) if specs else "no parameters"
            path = f"{prefix}.{key}" if prefix else key
            raise ParameterError(path, f"unknown parameter{suggestion}", allowed)
    for name, spec in specs.items():
        path = f"{prefix}.{name}" if prefix else name
        out[name] = spec.check(given.get(name, spec.default), path)
    return out
