"""The calibration fit as text and files: targets beside the model, parameters and what the data pin."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from labs.params import printable
from scenarios.loader import config_from_dict, config_to_toml
from labrace.calibration.fit import PINNED, UNPINNED, CalibrationFit


def _number(value: float) -> str:
    if value is None or math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.4g}"


def fit_lines(fit: CalibrationFit) -> list[str]:
    """The fit as a few aligned tables a reader can check figure by figure."""
    lines = [f"calibration {printable(fit.spec.name)} of {printable(fit.spec.scenario_source)}: "
             f"{len(fit.targets)} target figures, {int((fit.parameters['role'] == 'free').sum())} free parameters, "
             f"sum of squared residuals {2 * fit.cost:.4g} ({fit.evaluations} runs, "
             f"{'converged' if fit.converged else 'NOT converged'})",
             "targets (residual = (ln model - ln median) / sigma):"]
    for row in fit.targets.itertuples(index=False):
        mark = "ok " if row.within_range else "OUT"
        lines.append(f"  {mark} {printable(row.figure):<40} {_number(row.model):>11} vs {_number(row.median):>11} "
                     f"[{_number(row.p5)}, {_number(row.p95)}] {row.unit:<12} residual {row.residual:+.2f}")
    measured = fit.comparisons[fit.comparisons["model"].notna()]
    if len(measured):
        lines.append("compared, not fitted:")
        for row in measured.itertuples(index=False):
            lines.append(f"  {printable(row.figure):<44} {_number(row.model):>11} vs {_number(row.median):>11} "
                         f"[{_number(row.p5)}, {_number(row.p95)}] {row.unit}")
    unmodelled = fit.comparisons[fit.comparisons["model"].isna()]
    if len(unmodelled):
        lines.append("not measured (no counterpart in the model, or outside the run): " + ", ".join(printable(f) for f in unmodelled["figure"]))
    lines.append(f"parameters (se in units of the scale; pinned < {PINNED:g} <= weakly pinned < {UNPINNED:g} "
                 "<= not pinned; a probe's se is its own if it alone were also fitted):")
    for row in fit.parameters.itertuples(index=False):
        trade = f"  {row.trade_off}" if row.trade_off else ""
        lines.append(f"  {row.role:<5} {printable(row.parameter):<42} {_number(row.value):>10} ({row.scale:<6}) "
                     f"se {_number(row.se):>8}  {row.verdict}{trade}")
    lines.append("not pinned by the data: " + (", ".join(fit.unpinned) or "none"))
    return lines


def fit_summary(fit: CalibrationFit) -> dict[str, Any]:
    """The fit as JSON data (``calibration.json``)."""
    def records(frame):
        return json.loads(frame.to_json(orient="records"))

    return {"calibration": fit.spec.name, "scenario": fit.spec.scenario_source, "cost": fit.cost,
            "sum_of_squared_residuals": 2 * fit.cost, "runs": fit.evaluations, "converged": fit.converged,
            "message": fit.message, "targets": records(fit.targets), "comparisons": records(fit.comparisons),
            "parameters": records(fit.parameters), "not_pinned": fit.unpinned}


def calibrated_toml(fit: CalibrationFit) -> str:
    """The calibrated scenario, fully resolved, with its description and units."""
    config = config_from_dict(fit.data, fit.spec.scenario_source)
    return config_to_toml(config, str(fit.data.get("description", "")), fit.spec.units)


def write_fit(fit: CalibrationFit, out: Path) -> list[Path]:
    """``calibration.json``, ``calibration.txt`` and the calibrated ``scenario.toml`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"calibration.json": json.dumps(fit_summary(fit), indent=2) + "\n",
             "calibration.txt": "\n".join(fit_lines(fit)) + "\n",
             "scenario.toml": calibrated_toml(fit)}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]
