"""The results store: a Parquet dataset directory that only ever gains whole, atomically written parts.

``DIR/runs.parquet/`` holds one ``part-*.parquet`` file per completed batch of runs, one row per lab per
run. Each part is written to a hidden temporary name and renamed into place, so a reader (or a process
killed mid-write) never sees half a part: a killed tournament loses at most the batches still in flight.
pandas and pyarrow read the directory as one table (files starting with ``.`` are ignored). The schema is
fixed, which is why sweep values are one canonical JSON column rather than a column per parameter.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

SCHEMA = pa.schema([
    ("key", pa.string()), ("scenario", pa.string()), ("sweep", pa.string()), ("seed", pa.int64()),
    ("lineup", pa.string()), ("seat", pa.int64()), ("lab", pa.string()), ("policy", pa.string()),
    ("npv", pa.float64()), ("final_capability", pa.float64()), ("mean_alpha", pa.float64()),
    ("revenue_share", pa.float64()), ("status", pa.string()), ("error", pa.string()),
    ("version", pa.string()),
])


class ResultsStore:
    """Append-only store of run results under ``directory / "runs.parquet"``."""

    def __init__(self, directory: str | Path) -> None:
        self.path = Path(directory) / "runs.parquet"

    def parts(self) -> list[Path]:
        return sorted(self.path.glob("part-*.parquet")) if self.path.is_dir() else []

    def _dataset(self) -> ds.Dataset:
        return ds.dataset([str(p) for p in self.parts()], schema=SCHEMA, format="parquet")

    def keys(self) -> set[str]:
        """Keys of every recorded run (finished or failed): these are not run again."""
        if not self.parts():
            return set()
        return set(self._dataset().to_table(columns=["key"]).column("key").to_pylist())

    def read(self) -> pd.DataFrame:
        """Every recorded row (an empty frame with the full schema when nothing is recorded)."""
        if not self.parts():
            return SCHEMA.empty_table().to_pandas()
        return self._dataset().to_table().to_pandas()

    def append(self, rows: list[dict[str, Any]]) -> Path:
        """Write ``rows`` as one new part, atomically; returns the part's path."""
        self.path.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        token = uuid.uuid4().hex[:12]
        name = f"part-{len(self.parts()):06d}-{token}.parquet"
        tmp = self.path / f".{name}.tmp"
        pq.write_table(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path / name)
        return self.path / name
