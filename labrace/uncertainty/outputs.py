"""Writing a study's files next to its samples store: tables, ``summary.json``, the resolved scenario, figures.

The store (``samples.parquet/``) must survive for the study to resume, so a study's folder is never
replaced whole as a single run's is; each file is written under a temporary name and renamed into place,
so none is ever seen half-written.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from scenarios.loader import config_to_toml
from labrace.uncertainty.montecarlo import MonteCarloResult
from labrace.uncertainty.sensitivity import SensitivityResult
from labrace.uncertainty.samples import PATHS

SAMPLE_TABLE = "samples.csv"
"""One row per sample and lab: sample, seed, each uncertain parameter's value, the lab's outcomes."""


def write_text(path: Path, text: str) -> Path:
    """``text`` into ``path`` through a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_summary(summary: dict, out: Path) -> Path:
    """``summary.json`` (an index of an output that does not vary is NaN: written as null)."""
    return write_text(out / "summary.json", json.dumps(_no_nan(summary), indent=2, allow_nan=False) + "\n")


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    return write_text(path, frame.to_csv(index=False))


def sample_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The samples without their trajectories (those are in the store and the fans)."""
    return frame.drop(columns=["key", "path_t", *[f"path_{name}" for name in PATHS]], errors="ignore")


def write_monte_carlo(result: MonteCarloResult, figures: bool = True) -> list[Path]:
    """Every file of a Monte Carlo into its output folder; returns the paths written."""
    out = result.out
    scenario = result.study.scenario
    written = [write_table(sample_table(result.samples), out / SAMPLE_TABLE),
               write_table(result.intervals, out / "intervals.csv"),
               write_table(result.fans, out / "fans.csv"),
               write_summary(result.summary(), out),
               write_text(out / "scenario.toml", config_to_toml(scenario.config, scenario.description))]
    if figures and not result.fans.empty:
        from labrace.uncertainty.figures import write_fans

        written += write_fans(result.fans, scenario.config.name, out)
    return written


def write_sensitivity(result: SensitivityResult, figures: bool = True) -> list[Path]:
    """Every file of a sensitivity study into its output folder; returns the paths written."""
    out = result.out
    scenario = result.study.scenario
    written = [write_table(sample_table(result.samples), out / "design.csv"),
               write_table(result.indices, out / "indices.csv"),
               write_table(result.tornado, out / "tornado.csv"),
               write_summary(result.summary(), out),
               write_text(out / "scenario.toml", config_to_toml(scenario.config, scenario.description))]
    if figures:
        from labrace.uncertainty.figures import index_plot, tornado

        name = scenario.config.name
        for lab, rows in result.indices.groupby("lab", sort=False):
            stem = _stem(lab)
            written.append(index_plot(rows, f"{name}: Sobol indices of {lab}", out / f"sobol_{stem}.png"))
            swings = result.tornado[result.tornado["lab"] == lab]
            written.append(tornado(swings, f"{name}: {lab}, each parameter from its p5 to its p95",
                                   out / f"tornado_{stem}.png"))
    return written


def _no_nan(value):
    """``value`` with every NaN (the indices of an output that does not vary) as JSON's null."""
    if isinstance(value, dict):
        return {key: _no_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_nan(item) for item in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def _stem(lab: str) -> str:
    from labrace.simulation.destination import slug

    return slug(lab)
