"""Declarative parameter specifications shared by labs, markets and policies.

Every tunable number in labrace is described once by a :class:`Param`: its default, its allowed range and
a one-line meaning. The same specification validates constructor arguments (raising an error that names
the parameter), drives scenario-file validation, fills the visualiser's sliders and documents the
registry. Keeping the range in one place is what lets a bad scenario file be rejected with the exact
allowed values instead of a NaN a thousand steps later.
"""

from __future__ import annotations

import math
from dataclasses import Field, dataclass, field, fields, replace
from difflib import get_close_matches
from typing import Any, ClassVar, Iterable, Mapping


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the valid choice closest to a misspelt ``name``, else ``""``."""
    hint = get_close_matches(str(name), list(choices), n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def printable(text: object) -> str:
    """``text`` with every control character escaped (``\\x1b``, ``\\n``...), safe to print to a terminal.

    Names and paths in messages come from files; a raw escape sequence in them would be interpreted by
    the terminal, and a raw newline would split a one-line error in two.
    """
    return "".join(char if char.isprintable() or char == " " else repr(char)[1:-1] for char in str(text))


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
        super().__init__(printable(text))

    def prefixed(self, prefix: str) -> "ParameterError":
        """The same error with its path nested under ``prefix``."""
        joined = f"{prefix}.{self.path}" if prefix else self.path
        return ParameterError(joined, self.reason, self.allowed)


INT_RANGE = (-(2 ** 63), 2 ** 63 - 1)
"""Integers are held in 64-bit numpy arrays and seeds: an integer parameter never leaves this range."""


@dataclass(frozen=True)
class Param:
    """One parameter: kind, default, range and meaning.

    ``kind`` is ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``. Numeric bounds are inclusive unless
    ``low_open``/``high_open`` is set; ``None`` means unbounded. ``default=None`` with ``optional=True``
    marks a parameter whose absence means "not used" (e.g. no data cap). ``scale`` is the range worth
    exploring (the visualiser's sliders, sampling suggestions); it lies inside the valid range.
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
    scale: tuple[float, float] | None = None

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
        if self.kind == "int" and (self.low is None or self.high is None):
            text += " that fits in 64 bits"
        return text + (" or omitted" if self.optional else "")

    def bounds(self) -> tuple[float | None, float | None]:
        """The inclusive-or-open range actually enforced: an integer's is never wider than 64 bits."""
        if self.kind != "int":
            return self.low, self.high
        low = INT_RANGE[0] if self.low is None else max(self.low, INT_RANGE[0])
        high = INT_RANGE[1] if self.high is None else min(self.high, INT_RANGE[1])
        return low, high

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
            try:
                value = float(value)
            except OverflowError:  # an integer literal beyond any float
                raise ParameterError(where, "must be finite, got an integer beyond the floating-point range",
                                     self.allowed()) from None
            if not math.isfinite(value):
                raise ParameterError(where, f"must be finite, got {value!r}", self.allowed())
        low, high = self.bounds()
        if low is not None and (value < low or (self.low_open and value == low)):
            raise ParameterError(where, f"{_short(value)} is out of range", self.allowed())
        if high is not None and (value > high or (self.high_open and value == high)):
            raise ParameterError(where, f"{_short(value)} is out of range", self.allowed())
        return value


def _short(value: int | float) -> str:
    """``repr(value)``, with an integer too long to show (or to print at all) described by its size."""
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    return repr(value)


def resolve_params(specs: Mapping[str, Param], given: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Fill defaults and validate ``given`` against ``specs``; unknown names are errors.

    Returns a new dict with every specified parameter present. Errors name ``prefix.name`` and, for an
    unknown name, suggest the closest valid one.
    """
    reject_unknown(given, specs, prefix)
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        path = f"{prefix}.{name}" if prefix else name
        out[name] = spec.check(given.get(name, spec.default), path)
    return out


SPEC = "labrace.param"


def spec_field(default: Any, doc: str, **options: Any) -> Any:
    """A dataclass field declared by its :class:`Param`: the default, range and meaning are written once.

    The parameter's name is the field's name (filled in by :func:`field_specs`); classes built from such
    fields validate them in :class:`Validated`'s ``__post_init__``.
    """
    return field(default=default, metadata={SPEC: Param("", default, doc, **options)})


def field_specs(cls: type) -> dict[str, Param]:
    """The :class:`Param` of every field of dataclass ``cls`` declared with :func:`spec_field`."""
    specs: dict[str, Param] = {}
    for item in fields(cls):
        spec = item.metadata.get(SPEC) if isinstance(item, Field) else None
        if spec is not None:
            specs[item.name] = replace(spec, name=item.name)
    return specs


class Validated:
    """Mixin for frozen dataclasses whose numeric fields are :func:`spec_field` declarations.

    Construction checks (and converts) every declared field once, so an invalid value can only fail
    here, naming the field; :meth:`from_dict` adds the rejection of unknown keys and a path prefix for
    values that come from a file.
    """

    section: ClassVar[str] = ""
    """Where the values sit in a scenario file (``market``, ``shocks``): the default prefix of error paths."""

    def __post_init__(self) -> None:
        for name, spec in field_specs(type(self)).items():
            object.__setattr__(self, name, spec.check(getattr(self, name)))

    @classmethod
    def from_dict(cls, given: Mapping[str, Any], prefix: str | None = None):
        """An instance from plain data; unknown keys and bad values raise errors naming ``prefix.key``."""
        prefix = cls.section if prefix is None else prefix
        specs = field_specs(cls)
        reject_unknown(given, specs, prefix)
        try:
            return cls(**given)
        except ParameterError as error:
            raise error.prefixed(prefix) from None


def reject_unknown(given: Mapping[str, Any], specs: Mapping[str, Any], prefix: str = "") -> None:
    """Raise for the first key of ``given`` not in ``specs``, suggesting the closest valid one."""
    for key in given:
        if key not in specs:
            allowed = ", ".join(specs) if specs else "no parameters"
            path = f"{prefix}.{key}" if prefix else str(key)
            raise ParameterError(path, f"unknown parameter{did_you_mean(key, specs)}", allowed)
