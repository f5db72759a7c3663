"""Writing a run's results to a directory: tables, summary, resolved scenario, figures.

Everything is written into a fresh temporary directory next to the destination and moved into place
only when complete, so a failed or interrupted run never leaves a half-written or half-overwritten
results directory behind. An existing destination is renamed away, the new one renamed in, and only then
is the old one deleted; :mod:`labrace.simulation.destination` decides which destinations may be replaced.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scenarios.loader import config_to_toml
from labrace.simulation.columns import LAB_TABLE, MARKET_TABLE, OUTCOMES
from labrace.simulation.destination import check_destination
from labrace.simulation.real_units import real_summary
from labrace.simulation.run import RunResult

SEED_TABLE = "seeds.csv"
"""One row per seed and lab of a seed study: the seed and the lab's outcome columns."""


def _plain(value: Any) -> Any:
    """A table value as JSON data: numpy scalars as Python numbers, a missing number as ``None``."""
    if isinstance(value, str) or value is None:
        return value
    number = float(value)
    return None if math.isnan(number) else number


def summary(result: RunResult) -> dict[str, Any]:
    """The run's outcomes per lab, the winner (highest NPV, or a tie), provenance, and any comparisons."""
    labs = [{column.name: column.convert(row[column.name]) for column in OUTCOMES}
            for row in result.outcomes.to_dict("records")]
    config = result.config
    out: dict[str, Any] = {
        "scenario": config.name,
        "description": result.description,
        "winner": result.winner,
        "leaders": result.leaders,
        "labs": labs,
        "provenance": {"labrace_version": result.version, "seed": config.seed,
                       "scenario_key": result.key, "steps": config.steps,
                       "horizon": config.horizon, "dt": config.dt, "end_time": config.end_time},
    }
    if result.baseline is not None:
        out["baseline"] = [{key: _plain(value) for key, value in row.items()}
                           for row in result.baseline.to_dict("records")]
    if result.seeds is not None:
        out["seeds"] = result.seeds.summary()
    if result.units is not None:
        out["real_units"] = real_summary(result)
    return out


def _write_tables(result: RunResult, folder: Path, parquet: bool) -> None:
    labs = result.labs.loc[:, list(LAB_TABLE)]
    market = result.market.loc[:, list(MARKET_TABLE)]
    labs.to_csv(folder / "labs.csv", index=False)
    market.to_csv(folder / "market.csv", index=False)
    if parquet:
        labs.to_parquet(folder / "labs.parquet", index=False)
        market.to_parquet(folder / "market.parquet", index=False)


def _replace(staged: Path, out: Path) -> None:
    """Move ``staged`` to ``out``, replacing an existing ``out`` without ever leaving it half-written."""
    if not out.exists():
        os.rename(staged, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    os.rename(out, retired)
    try:
        os.rename(staged, out)
    except OSError:
        os.rename(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def write_run(result: RunResult, out: Path, parquet: bool = False, figures: bool = True,
              force: bool = False) -> list[Path]:
    """Write every output of ``result`` to ``out`` (atomically replaced); returns the files written.

    ``out`` must be new, empty or an earlier run's output unless ``force`` (see :func:`check_destination`).
    """
    check_destination(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        _write_tables(result, staged, parquet)
        (staged / "summary.json").write_text(json.dumps(summary(result), indent=2, allow_nan=False) + "\n")
        if result.seeds is not None:
            result.seeds.table.to_csv(staged / SEED_TABLE, index=False)
        (staged / "scenario.toml").write_text(config_to_toml(result.config, result.description, result.units))
        if figures:
            from labrace.simulation.figures import write_figures

            write_figures(result, staged)
        names = sorted(p.name for p in staged.iterdir())
        _replace(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return [out / name for name in names]
