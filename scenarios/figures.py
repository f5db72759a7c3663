"""Public figures for calibration: a CSV of measured quantities, each row citing a source.

A figures file has one row per figure (``figure, lab, period_start, period_end, p5, median, p95, unit,
source, note``); ``source`` names a table of the ``sources.toml`` beside it, which holds the citation.
Periods are decimal calendar years: a stock or a run-rate is measured at a date (start = end; 2026.0 is
the end of 2025), a flow or a share over ``[start, end)``. ``p5``/``p95`` are the published 5th and
95th percentiles, left empty where the source gives a point value only. The shipped file
(``scenarios/data/frontier.csv``) and its provenance are described in ``scenarios/data/README.md``.
"""

from __future__ import annotations

import csv
import math
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from scenarios.schema import ScenarioError

COLUMNS = ("figure", "lab", "period_start", "period_end", "p5", "median", "p95", "unit", "source", "note")
SOURCES = "sources.toml"


@dataclass(frozen=True)
class Figure:
    """One published figure: what, whose, when, its value and range, and where it comes from."""

    figure: str
    lab: str
    period_start: float
    period_end: float
    median: float
    p5: float | None
    p95: float | None
    unit: str
    source: str
    note: str

    @property
    def point(self) -> bool:
        """True for a figure measured at a date (a stock or a rate) rather than over a period."""
        return self.period_start == self.period_end

    @property
    def label(self) -> str:
        """A short name, e.g. ``revenue_run_rate OpenAI 2026``."""
        when = f"{self.period_start:g}" if self.point else f"{self.period_start:g}-{self.period_end:g}"
        return " ".join(part for part in (self.figure, self.lab, when) if part)


@dataclass(frozen=True)
class FigureSet:
    """The figures of one file with the citations of their sources."""

    path: str
    figures: tuple[Figure, ...]
    sources: dict[str, dict[str, str]]

    def citation(self, figure: Figure) -> str:
        return self.sources[figure.source]["citation"]


def shipped_figures_path() -> Path:
    return Path(str(files("scenarios.data"))) / "frontier.csv"


def _number(text: str, where: str, source: str, optional: bool = False) -> float | None:
    if text.strip() == "" and optional:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(source, where, f"expected a number, got {text!r}",
                            "a finite number" + (" or empty" if optional else "")) from None
    if not math.isfinite(value):
        raise ScenarioError(source, where, f"must be finite, got {text!r}", "a finite number")
    return value


def _sources(path: Path) -> dict[str, dict[str, str]]:
    where = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(where, "", "no such file", "a sources.toml beside the figures file") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(where, "", f"TOML syntax error: {error}") from None
    for key, table in data.items():
        if not isinstance(table, dict) or not isinstance(table.get("citation"), str) or not table["citation"]:
            raise ScenarioError(where, f"{key}.citation", "every source needs a citation", "a non-empty string")
    return data


def _row(row: dict[str, str], line: int, source: str, cited: dict[str, dict[str, str]]) -> Figure:
    where = f"line {line}"
    if None in row:
        raise ScenarioError(source, where, f"{len(COLUMNS) + len(row[None])} values", f"{len(COLUMNS)} per line")
    missing = [column for column in COLUMNS if row.get(column) is None]
    if missing:
        raise ScenarioError(source, f"{where}.{missing[0]}", "missing value", "one value per column")
    name = row["figure"].strip()
    if not name:
        raise ScenarioError(source, f"{where}.figure", "empty figure name", "a name such as 'compute'")
    start = _number(row["period_start"], f"{where}.period_start", source)
    end = _number(row["period_end"], f"{where}.period_end", source)
    if end < start:
        raise ScenarioError(source, f"{where}.period_end", f"{end:g} is before period_start {start:g}",
                            f"a year >= {start:g}")
    median = _number(row["median"], f"{where}.median", source)
    if median <= 0:
        raise ScenarioError(source, f"{where}.median", f"{median:g} is not positive", "a number > 0")
    p5 = _number(row["p5"], f"{where}.p5", source, optional=True)
    p95 = _number(row["p95"], f"{where}.p95", source, optional=True)
    if (p5 is None) != (p95 is None):
        column = "p95" if p95 is None else "p5"
        raise ScenarioError(source, f"{where}.{column}", "p5 and p95 go together", "both numbers or both empty")
    if p5 is not None and not 0 < p5 <= median:
        raise ScenarioError(source, f"{where}.p5", f"{p5:g} is not in (0, median {median:g}]",
                            f"a number in (0, {median:g}]")
    if p95 is not None and p95 < median:
        raise ScenarioError(source, f"{where}.p95", f"{p95:g} is below the median {median:g}",
                            f"a number >= {median:g}")
    cite = row["source"].strip()
    if cite not in cited:
        raise ScenarioError(source, f"{where}.source", f"unknown source {cite!r}",
                            "a table of " + SOURCES + ": " + ", ".join(cited))
    return Figure(name, row["lab"].strip(), start, end, median, p5, p95, row["unit"].strip(), cite,
                  row["note"].strip())


def load_figures(path: str | Path | None = None) -> FigureSet:
    """The figures of ``path`` (default: the shipped frontier figures), every row checked.

    Problems raise :class:`ScenarioError` naming the file, the line and the column.
    """
    path = shipped_figures_path() if path is None else Path(path)
    source = str(path)
    cited = _sources(path.parent / SOURCES)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header != COLUMNS:
                raise ScenarioError(source, "header", f"columns {', '.join(header) or 'none'}", ", ".join(COLUMNS))
            figures = tuple(_row(row, index + 2, source, cited) for index, row in enumerate(reader))
    except FileNotFoundError:
        raise ScenarioError(source, "", "no such file", "an existing figures .csv") from None
    return FigureSet(source, figures, cited)
