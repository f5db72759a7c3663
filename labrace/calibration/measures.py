"""What each kind of public figure measures in a run: the model's counterpart of a figure.

A measure reads a finished run's tables (``labs.csv``, ``market.csv`` as frames) and returns the value
in the figure's real unit, or ``None`` when this run cannot measure it (the lab is not in the scenario,
or the figure's date or period lies outside the run). Kinds without a measure here (compute spend, power
capacity, hardware and algorithmic trends) have no counterpart in the model: the model has no cost side
and measures capability on its own scale, so those figures are reported as context, never fitted.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from scenarios.figures import Figure
from scenarios.units import Units
from labrace.simulation.run import RunResult

EPS = 1e-9


def _step(result: RunResult, year: float, units: Units) -> int | None:
    """The index of the step that starts at calendar ``year``, if the run has one."""
    k = round((year - units.start_year) / result.config.dt)
    if abs(units.start_year + k * result.config.dt - year) > 1e-6 or not 0 <= k < result.config.steps:
        return None
    return k


def _steps(result: RunResult, figure: Figure, units: Units) -> slice | None:
    """The steps whose start lies in the figure's period ``[start, end)``, if the run covers it."""
    first = _step(result, figure.period_start, units)
    after = round((figure.period_end - units.start_year) / result.config.dt)
    if first is None or after > result.config.steps or after <= first:
        return None
    return slice(first, after)


def _lab(result: RunResult, figure: Figure) -> pd.DataFrame | None:
    rows = result.labs[result.labs["lab"] == figure.lab]
    return None if rows.empty else rows.reset_index(drop=True)


def _at_date(result: RunResult, figure: Figure, units: Units, column: str) -> float | None:
    """A lab's ``column`` at the figure's date, in model units (None for a period figure or no such lab)."""
    rows, k = _lab(result, figure), _step(result, figure.period_start, units)
    if rows is None or k is None or not figure.point:
        return None
    return float(rows[column].iloc[k])


def _over_period(result: RunResult, figure: Figure, units: Units) -> pd.DataFrame | None:
    """A lab's rows for the steps of the figure's period (None for no such lab or a period outside the run)."""
    rows, span = _lab(result, figure), _steps(result, figure, units)
    return None if rows is None or span is None else rows.iloc[span]


def compute(result: RunResult, figure: Figure, units: Units) -> float | None:
    """A lab's compute at a date, in H100e."""
    value = _at_date(result, figure, units, "compute")
    return None if value is None else units.h100e(value)


def inference_share(result: RunResult, figure: Figure, units: Units) -> float | None:
    """The share of a lab's compute over a period that served inference: sum (1 - alpha) C / sum C."""
    part = _over_period(result, figure, units)
    if part is None:
        return None
    return float(((1.0 - part["alpha"]) * part["compute"]).sum() / part["compute"].sum())


def revenue_run_rate(result: RunResult, figure: Figure, units: Units) -> float | None:
    """A lab's revenue rate at a date, in US dollars per year (an annualised run-rate)."""
    value = _at_date(result, figure, units, "revenue")
    return None if value is None else units.usd(value)


def revenue(result: RunResult, figure: Figure, units: Units) -> float | None:
    """A lab's revenue over a period, in US dollars (each step's rate held over the step, docs/model.md §3)."""
    part = _over_period(result, figure, units)
    return None if part is None else units.usd(float(part["revenue"].sum() * result.config.dt))


def inference_price_decline(result: RunResult, figure: Figure, units: Units) -> float | None:
    """The factor by which the price of one unit of quality (P / q) falls over the run's first year.

    A token of fixed performance is a fixed amount of quality, so its price is P / q (docs/calibration.md).
    The published trend is a rate over earlier years; it is compared with the run's first year.
    """
    k = round(1.0 / result.config.dt)
    if k >= result.config.steps:
        return None
    per_quality = (result.market["price"] / result.market["quality"]).to_numpy()
    if per_quality[k] <= 0:
        return None
    return float(per_quality[0] / per_quality[k])


def training_compute_growth(result: RunResult, figure: Figure, units: Units) -> float | None:
    """The factor by which the labs' total training compute (sum alpha C) grows over the run's first year."""
    k = round(1.0 / result.config.dt)
    if k >= result.config.steps:
        return None
    training = (result.labs["alpha"] * result.labs["compute"]).groupby(result.labs["t"].round(9)).sum().to_numpy()
    return float(training[k] / training[0]) if training[0] > 0 else None


Measure = Callable[[RunResult, Figure, Units], float | None]

MEASURES: dict[str, Measure] = {
    "compute": compute,
    "inference_share": inference_share,
    "revenue_run_rate": revenue_run_rate,
    "revenue": revenue,
    "inference_price_decline": inference_price_decline,
    "training_compute_growth": training_compute_growth,
}
"""Every figure kind the model can measure: the kinds a calibration may fit or compare."""


def log_sigma(figure: Figure, point_sigma: float) -> float:
    """The standard deviation of the figure's log: from its p5-p95 range, else ``point_sigma``.

    A published 90% interval of a lognormal spans 2 x 1.645 standard deviations of the log.
    """
    if figure.p5 is None or figure.p95 is None or figure.p95 <= figure.p5:
        return point_sigma
    return float(np.log(figure.p95 / figure.p5) / (2 * 1.6448536269514722))
