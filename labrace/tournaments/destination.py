"""Claiming a tournament's output directory before any run is played.

A tournament can compute for hours before it writes its first part, so everything that would make the
writing fail is checked first: the directory can be created, nobody else is writing into it, a file can be
written there and there is room for the results. Each problem is a :class:`ParameterError` naming the
directory or the lock file, so the command reports it in one line with exit status 2.

The lock is an exclusive ``flock`` on ``DIR/tournament.lock`` held until the tournament has written its
analysis. Two tournaments sharing an ``--out`` would otherwise both play every run missing at their start
and interleave their analysis files. The operating system drops the lock when its holder exits, however it
exits, so a killed tournament never leaves a stale lock behind; the file itself stays (removing it would
let a third process lock a different file than a second one is waiting on).
"""

from __future__ import annotations

import fcntl
import math
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from labs.params import ParameterError
from labrace.tournaments.plan import RunTask

LOCK_NAME = "tournament.lock"
# Generous per-item sizes (measured parts are about 4 KB plus 150 bytes a row; figures 20-40 KB each), so
# that a "fits" verdict holds with margin.
PART_BYTES = 8_192
ROW_BYTES = 400
ANALYSIS_BYTES = 8 * 2**20
PROBE_BYTES = 64 * 2**10


def needed_bytes(tasks: Sequence[RunTask], batch_size: int) -> int:
    """Room for the results of ``tasks`` (one row per lab, one part per batch) and the analysis files."""
    rows = sum(len(task.config.labs) for task in tasks)
    return rows * ROW_BYTES + math.ceil(len(tasks) / batch_size) * PART_BYTES + ANALYSIS_BYTES


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _lock(path: Path, what: str = "tournament") -> int:
    """An open descriptor holding the exclusive lock on ``path``."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ParameterError(str(path), f"cannot create the lock file: {_reason(error)}",
                             "a writable output directory") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise ParameterError(str(path), f"locked: another {what} (pid {holder}) is writing into this "
                             "directory", "wait for it to finish or choose another --out") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _probe(directory: Path) -> None:
    """Write, flush and remove a small file: catches read-only mounts, permissions and a full disk."""
    probe = directory / f".probe-{uuid.uuid4().hex[:12]}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise ParameterError(str(directory), f"not writable: {_reason(error)}",
                             "a writable output directory with free space") from None
    finally:
        probe.unlink(missing_ok=True)


@contextmanager
def claim_output(directory: str | Path, need: int, store_name: str = "runs.parquet",
                 what: str = "tournament") -> Iterator[Path]:
    """Hold ``directory`` for one tournament (or other resumable study, ``what``) whose results and
    analysis take ``need`` bytes.

    Creates it and its ``store_name`` folder, takes the lock, proves a file can be written and checks
    the free space (see :func:`needed_bytes`), all before the first run.
    """
    directory = Path(directory)
    store = directory / store_name
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ParameterError(str(directory), f"cannot create the output directory: {_reason(error)}",
                             "a writable directory path") from None
    fd = _lock(directory / LOCK_NAME, what)
    try:
        _probe(store)
        free = shutil.disk_usage(store).free
        if free < need:
            raise ParameterError(str(directory), f"only {free / 2**20:.1f} MiB free, about {need / 2**20:.1f} MiB "
                                 "needed for the results and the analysis", "free some space or choose another --out")
        yield directory
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
