"""A run's outcomes in real units (H100e, US dollars, calendar years) for a scenario that declares them.

The model computes in compute units and revenue units; a scenario's ``[units]`` table
(:class:`scenarios.units.Units`) says what those are. Here the run's tables are read once more and
translated, so an analyst sees each lab's compute, revenue per calendar year and NPV in H100e and
dollars. Nothing is recomputed: every number is a column of ``labs.csv`` or ``market.csv`` times a unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labs.params import printable
from scenarios.units import Units
from labrace.simulation.run import RunResult


def _window(frame: pd.DataFrame, start: float, length: float) -> pd.DataFrame:
    """The steps of ``frame`` that start in ``[start, start + length)`` (times are step starts)."""
    eps = 1e-9
    return frame[(frame["t"] >= start - eps) & (frame["t"] < start + length - eps)]


def _lab_real(labs: pd.DataFrame, outcome: pd.Series, units: Units, dt: float, last_year: float) -> dict[str, Any]:
    """One lab's compute, inference share, revenue and NPV in H100e and dollars."""
    first, last = labs.iloc[0], labs.iloc[-1]
    serving = (1.0 - labs["alpha"]) * labs["compute"]
    inference_h100e_years = units.h100e(float(serving.iloc[0]))
    return {
        "lab": outcome["lab"],
        "compute_start_h100e": units.h100e(float(first["compute"])),
        "compute_last_step_h100e": units.h100e(float(last["compute"])),
        "inference_share_mean": float(serving.sum() / labs["compute"].sum()),
        "revenue_first_year_usd": units.usd(float(_window(labs, 0.0, 1.0)["revenue"].sum() * dt)),
        "revenue_last_year_usd": units.usd(float(_window(labs, last_year, 1.0)["revenue"].sum() * dt)),
        "revenue_rate_start_usd_per_year": units.usd(float(first["revenue"])),
        "revenue_rate_last_step_usd_per_year": units.usd(float(last["revenue"])),
        "revenue_per_inference_h100e_year_start_usd": (units.usd(float(first["revenue"])) / inference_h100e_years
                                                       if inference_h100e_years > 0 else None),
        "npv_usd": units.usd(float(outcome["npv"])),
    }


def real_summary(result: RunResult) -> dict[str, Any]:
    """The ``real_units`` block of ``summary.json``: the units, each lab's outcomes and the market's."""
    units = result.units
    if units is None:
        raise ValueError("the run's scenario declares no [units] table")
    config = result.config
    dt = config.dt
    last_step = float(result.market["t"].iloc[-1])
    last_year = max(0.0, config.end_time - 1.0)
    market = result.market
    tokens_h100e = units.h100e(1.0)
    price = market["price"] * units.usd_per_revenue_unit / tokens_h100e
    pool = market["revenue_pool"]
    outcomes = result.outcomes.set_index("lab", drop=False)
    labs = [_lab_real(frame, outcomes.loc[name], units, dt, last_year)
            for name, frame in result.labs.groupby("lab", sort=False)]
    return {
        "units": units.to_dict(),
        "start_year": units.start_year,
        "last_step_year": units.year(last_step),
        "first_year": [units.year(0.0), units.year(1.0)],
        "last_year": [units.year(last_year), units.year(config.end_time)],
        "labs": labs,
        "market": {
            "price_per_inference_h100e_year_start_usd": float(price.iloc[0]),
            "price_per_inference_h100e_year_last_step_usd": float(price.iloc[-1]),
            "revenue_first_year_usd": units.usd(float(_window(market, 0.0, 1.0)["revenue_pool"].sum() * dt)),
            "revenue_last_year_usd": units.usd(float(_window(market, last_year, 1.0)["revenue_pool"].sum() * dt)),
            "revenue_pool_last_step_usd_per_year": units.usd(float(pool.iloc[-1])),
        },
    }


def money(usd: float | None) -> str:
    """Dollars with a k/M/B/T suffix and three significant figures, e.g. ``$13.1B``."""
    if usd is None or not np.isfinite(usd):
        return "n/a"
    return "$" + _scaled(usd)


def h100e(count: float) -> str:
    """An H100e count with a k/M suffix, e.g. ``1.74M H100e``."""
    return _scaled(count) + " H100e"


def _scaled(value: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def _years(span: list[float]) -> str:
    start, end = span
    if float(start).is_integer() and np.isclose(end - start, 1.0):
        return f"{start:.0f}"
    return f"{start:g}-{end:g}"


def real_lines(result: RunResult) -> list[str]:
    """The lines ``labrace run`` prints for a scenario with real units."""
    block = real_summary(result)
    units = result.units
    assert units is not None
    first, last = _years(block["first_year"]), _years(block["last_year"])
    start, end = f"{block['start_year']:g}", f"{block['last_step_year']:g}"
    rho = {lab.name: lab.discount for lab in result.config.labs}
    lines = [f"in real units (1 compute unit = {h100e(units.h100e_per_compute_unit)}, 1 revenue unit = "
             f"{money(units.usd_per_revenue_unit)}, t = 0 is {start}):"]
    for lab in block["labs"]:
        lines.append(
            f"  {printable(lab['lab']):<16} compute {h100e(lab['compute_start_h100e'])} ({start}) -> "
            f"{h100e(lab['compute_last_step_h100e'])} ({end})  inference {lab['inference_share_mean']:.0%}  "
            f"revenue {money(lab['revenue_first_year_usd'])} in {first}, {money(lab['revenue_last_year_usd'])} "
            f"in {last}  NPV {money(lab['npv_usd'])} at {rho[lab['lab']]:.0%}/year")
    m = block["market"]
    lines.append(f"  market: price of an H100e-year of inference {money(m['price_per_inference_h100e_year_start_usd'])}"
                 f" ({start}) -> {money(m['price_per_inference_h100e_year_last_step_usd'])} ({end}); revenue of "
                 f"all labs {money(m['revenue_first_year_usd'])} in {first}, {money(m['revenue_last_year_usd'])} "
                 f"in {last}")
    return lines
