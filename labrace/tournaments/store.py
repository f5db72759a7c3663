"""The results store: a Parquet dataset directory that only ever gains whole, atomically written parts.

``DIR/runs.parquet/`` holds one ``part-*.parquet`` file per completed batch of runs, one row per lab per
run. Each part is written to a hidden temporary name and renamed into place, so a reader (or a process
killed mid-write) never sees half a part: a killed tournament loses at most the batches still in flight.
pandas and pyarrow read the directory as one table (files starting with ``.`` are ignored). The schema is
fixed, which is why sweep values are one canonical JSON column rather than a column per parameter.

Parts are read one by one. A part that cannot be read or has another schema (a truncated copy, an empty
file, something else's Parquet file) would otherwise make every read fail, so it is moved into
``DIR/quarantine/`` and noted in :attr:`ResultsStore.quarantined`: its runs count as missing and are
played again. Rows are unique by ``(key, seat)`` on reading, whatever the parts hold, because each run is
a pure function of its key and so two records of it are interchangeable.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("key", pa.string()), ("scenario", pa.string()), ("sweep", pa.string()), ("seed", pa.int64()),
    ("lineup", pa.string()), ("seat", pa.int64()), ("lab", pa.string()), ("policy", pa.string()),
    ("npv", pa.float64()), ("final_capability", pa.float64()), ("mean_alpha", pa.float64()),
    ("revenue_share", pa.float64()), ("status", pa.string()), ("error", pa.string()),
    ("version", pa.string()),
    ("plans", pa.int64()), ("plans_not_converged", pa.int64()), ("plan_residual", pa.float64()),
])
PLAN_COLUMNS = ("plans", "plans_not_converged", "plan_residual")
"""The lab's planning diagnostics (solves made, solves that did not converge, worst residual); parts
written before they existed are read with these columns empty."""


@dataclass(frozen=True)
class Quarantined:
    """A part moved out of the store because it could not be used, and why."""

    part: Path
    moved_to: Path
    reason: str

    def __str__(self) -> str:
        return (f"{self.part}: damaged results part ({self.reason}); moved to {self.moved_to}, "
                "its runs will be played again")


def _load_part(part: Path, expected: pa.Schema = SCHEMA) -> tuple[pa.Table | None, str]:
    """The part's table and ``""``, or ``None`` and what is wrong with it."""
    try:
        table = pq.read_table(part)
    except (pa.ArrowException, OSError) as error:
        return None, f"unreadable: {error}"
    schema = table.schema.remove_metadata()
    if expected is not SCHEMA:
        return (table, "") if schema.equals(expected) else (None, "foreign schema with columns "
                                                                 + ", ".join(table.schema.names))
    if not schema.equals(SCHEMA) and schema.equals(pa.schema([f for f in SCHEMA if f.name not in PLAN_COLUMNS])):
        for name in PLAN_COLUMNS:  # a part from before the planning diagnostics: they are unknown
            table = table.append_column(SCHEMA.field(name), pa.nulls(table.num_rows, SCHEMA.field(name).type))
        schema = table.schema.remove_metadata()
    if not schema.equals(SCHEMA):
        return None, "foreign schema with columns " + ", ".join(table.schema.names)
    return table, ""


class ResultsStore:
    """Append-only store of run results under ``directory / name`` (``runs.parquet`` for a tournament).

    ``schema`` is the rows' fixed schema: any table with a ``key`` and a ``seat`` column (Monte-Carlo
    samples keep their own, with trajectories); only the tournament's schema has older variants to read.
    """

    def __init__(self, directory: str | Path, name: str = "runs.parquet", schema: pa.Schema = SCHEMA) -> None:
        self.path = Path(directory) / name
        self.quarantine = Path(directory) / "quarantine"
        self.quarantined: list[Quarantined] = []
        self.schema = schema

    def parts(self) -> list[Path]:
        return sorted(self.path.glob("part-*.parquet")) if self.path.is_dir() else []

    def _table(self) -> pa.Table:
        """Every usable part, concatenated in part order; unusable parts are quarantined on the way."""
        tables = []
        for part in self.parts():
            table, problem = _load_part(part, self.schema)
            if table is None:
                self._set_aside(part, problem)
            else:
                tables.append(table.replace_schema_metadata(None))
        return pa.concat_tables(tables) if tables else self.schema.empty_table()

    def _set_aside(self, part: Path, reason: str) -> None:
        self.quarantine.mkdir(parents=True, exist_ok=True)
        target = self.quarantine / part.name
        os.replace(part, target)
        self.quarantined.append(Quarantined(part, target, reason))

    def check(self) -> list[Quarantined]:
        """Read every part once, quarantining the unusable ones; returns those this call moved, so that a
        caller can say so before it plays their runs again."""
        before = len(self.quarantined)
        self._table()
        return self.quarantined[before:]

    def keys(self) -> set[str]:
        """Keys of every recorded run (finished or failed): these are not run again."""
        return set(self._table().column("key").to_pylist())

    def read(self) -> pd.DataFrame:
        """Every recorded row, one per ``(key, seat)`` (an empty frame with the full schema when nothing is
        recorded)."""
        frame = self._table().to_pandas()
        return frame.drop_duplicates(["key", "seat"], keep="first").reset_index(drop=True)

    def append(self, rows: list[dict[str, Any]]) -> Path:
        """Write ``rows`` as one new part, atomically; returns the part's path."""
        self.path.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=self.schema)
        token = uuid.uuid4().hex[:12]
        name = f"part-{len(self.parts()):06d}-{token}.parquet"
        tmp = self.path / f".{name}.tmp"
        pq.write_table(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path / name)
        return self.path / name
