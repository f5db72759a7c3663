"""A tournament killed with SIGKILL mid-run resumes to a complete store: no key lost, none duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from labrace.tournaments import ResultsStore

SLOW = """
name = "slow"
lineup_size = 2
seeds = 4
scenarios = [{ name = "long", horizon = 10.0, dt = 0.01, market = { delta0 = 0.5 }, labs = [
    { name = "a", compute0 = 150.0 }, { name = "b", compute0 = 100.0 } ] }]

[[entrants]]
policy = "constant"
params = { alpha = 0.3 }

[[entrants]]
policy = "catch_up"

[[entrants]]
policy = "train_then_serve"
"""
TOTAL_RUNS = 3 * 3 * 4  # ordered line-ups of 3 entrants x 4 seeds


def tournament(path: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "labrace.cli.main", "tournament", str(path), "--out", str(out),
               "--serial", "--batch", "2", "--no-progress"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigkill_then_rerun_completes_every_key_once(tmp_path):
    path = tmp_path / "slow.toml"
    path.write_text(SLOW)
    out = tmp_path / "out"
    process = tournament(path, out)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        parts = list((out / "runs.parquet").glob("*.parquet")) if (out / "runs.parquet").exists() else []
        if len(parts) >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the tournament finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    killed = ResultsStore(out).read()
    done_before = killed["key"].nunique()
    assert 0 < done_before < TOTAL_RUNS
    assert not killed.duplicated(["key", "seat"]).any()

    rerun = tournament(path, out)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()
    final = ResultsStore(out).read()
    assert final["key"].nunique() == TOTAL_RUNS
    assert len(final) == 2 * TOTAL_RUNS
    assert not final.duplicated(["key", "seat"]).any()
    assert (final["status"] == "ok").all()
    # What finished before the kill was kept as it was, not recomputed into different numbers.
    merged = killed.merge(final, on=["key", "seat"], suffixes=("_before", "_after"))
    assert len(merged) == len(killed)
    assert (merged["npv_before"] == merged["npv_after"]).all()
