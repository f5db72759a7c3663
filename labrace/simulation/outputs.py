"""Writing a run's results to a directory: tables, summary, resolved scenario, figures.

Everything is written into a fresh temporary directory next to the destination and moved into place
only when complete, so a failed or interrupted run never leaves a half-written or half-overwritten
results directory behind. An existing destination is renamed away, the new one renamed in, and only then
is the old one deleted; :mod:`labrace.simulation.destination` decides which destinations may be replaced.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scenarios.loader import config_to_toml
from labrace.simulation.columns import LAB_TABLE, MARKET_TABLE, OUTCOMES
from labrace.simulation.destination import check_destination
from labrace.simulation.run import RunResult


def summary(result: RunResult) -> dict[str, Any]:
    """The run's outcomes per lab, the winner (highest NPV) and its provenance."""
    labs = [{column.name: column.convert(row[column.name]) for column in OUTCOMES}
            for row in result.outcomes.to_dict("records")]
    return {
        "scenario": result.config.name,
        "description": result.description,
        "winner": result.winner,
        "labs": labs,
        "provenance": {"labrace_version": result.version, "seed": result.config.seed,
                       "scenario_key": result.key, "steps": result.config.steps,
                       "horizon": result.config.horizon, "dt": result.config.dt},
    }


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
        (staged / "scenario.toml").write_text(config_to_toml(result.config, result.description))
        if figures:
            from labrace.simulation.figures import write_figures

            write_figures(result, staged)
        names = sorted(p.name for p in staged.iterdir())
        _replace(staged, out)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return [out / name for name in names]
