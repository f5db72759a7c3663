"""A scenario's uncertain parameters: where its distributions sit and how a draw becomes a run.

Reading a file, every distribution table (see :mod:`scenarios.distributions`) is taken out and replaced
by its median, which gives the *nominal* scenario, validated as usual. A draw puts numbers back at the
same places in the file's data and validates the whole scenario again through :func:`scenarios.schema
.validate`, so a sampled value is checked by exactly the declarations a written one is (nothing about
ranges is repeated here). Each distribution's lowest and highest value are checked the same way when the
file is read, one parameter at a time, so a distribution that could reach outside its parameter's range
is refused at once, naming the file and the field, instead of failing at sample 9,000.

A distribution sits in one place of the file: in a ``[[labs]]`` entry with ``count = n`` its draw is
shared by the n copies (they remain identical labs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import numpy as np

from labs.params import ParameterError
from market.config import RaceConfig
from scenarios.distributions import Distribution, is_distribution, parse_distribution
from scenarios.limits import Limits
from scenarios.schema import ScenarioError, validate

Path = tuple[str | int, ...]


def _label(path: Path) -> str:
    """``labs[0].law_params.epsilon`` for ``("labs", 0, "law_params", "epsilon")``: the error-path style."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class UncertainParameter:
    """One distribution in a scenario file: where it is (``path``, ``name`` as printed) and what it is."""

    path: Path
    distribution: Distribution

    @property
    def name(self) -> str:
        return _label(self.path)


def _extract(value: Any, path: Path, found: list[UncertainParameter]) -> Any:
    """``value`` with every distribution table replaced by its median; the distributions go to ``found``."""
    if is_distribution(value):
        distribution = parse_distribution(value, _label(path))
        found.append(UncertainParameter(path, distribution))
        return distribution.nominal
    if isinstance(value, Mapping):
        return {key: _extract(item, (*path, key), found) for key, item in value.items()}
    if isinstance(value, list):
        return [_extract(item, (*path, index), found) for index, item in enumerate(value)]
    return value


def _put(data: Any, path: Path, number: float) -> Any:
    """A copy of ``data`` with ``number`` at ``path`` (only the containers on the path are copied)."""
    if not path:
        return number
    head, rest = path[0], path[1:]
    if isinstance(data, list):
        copy = list(data)
    else:
        copy = dict(data)
    copy[head] = _put(data[head], rest, number)
    return copy


@dataclass(frozen=True)
class Uncertainty:
    """The uncertain parameters of one scenario file and the nominal data they were taken from."""

    source: str
    default_name: str
    nominal: Mapping[str, Any]
    parameters: tuple[UncertainParameter, ...]
    limits: Limits = Limits()

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def __len__(self) -> int:
        return len(self.parameters)

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Parameter values (n x d) at unit numbers (n x d, each in [0, 1]): column j through ``ppf_j``."""
        unit = np.atleast_2d(np.asarray(unit, dtype=float))
        return np.column_stack([p.distribution.ppf(unit[:, j]) for j, p in enumerate(self.parameters)]) \
            if self.parameters else np.empty((len(unit), 0))

    def config(self, values: Sequence[float], seed: int | None = None, what: str = "") -> RaceConfig:
        """The scenario with parameter ``j`` at ``values[j]`` (and ``seed``), validated like a written file.

        ``what`` (e.g. ``"sample 12"``) is added to an error's message, which names the file and field.
        """
        data: Any = self.nominal
        for parameter, value in zip(self.parameters, values, strict=True):
            data = _put(data, parameter.path, float(value))
        try:
            config = validate(data, self.source, self.default_name, self.limits)
        except ScenarioError as error:
            raise ScenarioError(error.source, error.path, f"{what}: {error.reason}" if what else error.reason,
                                error.allowed) from None
        if seed is None:
            return config
        try:
            return replace(config, seed=seed)
        except ParameterError as error:
            raise ScenarioError(self.source, "seed", error.reason, error.allowed) from None

    def check_supports(self) -> None:
        """Refuse a distribution whose lowest or highest value its parameter does not accept."""
        nominal = [p.distribution.nominal for p in self.parameters]
        for j, parameter in enumerate(self.parameters):
            for end, value in zip(("lowest", "highest"), parameter.distribution.support):
                values = list(nominal)
                values[j] = value
                what = f"{parameter.distribution.describe()} reaches {value:.6g} as its {end} value"
                self.config(values, what=what)


def split_uncertain(data: Mapping[str, Any], source: str, default_name: str,
                    limits: Limits = Limits()) -> Uncertainty:
    """The file's distributions (each parsed and checked) and its data with their medians in place."""
    found: list[UncertainParameter] = []
    try:
        nominal = _extract(data, (), found) if isinstance(data, Mapping) else data
    except ParameterError as error:
        raise ScenarioError.wrap(source, error) from None
    uncertainty = Uncertainty(source, default_name, nominal, tuple(found), limits)
    if found:
        uncertainty.check_supports()
    return uncertainty
