"""Killing and interrupting tournaments: a SIGKILLed one resumes to a complete store (no key lost, none
duplicated), Ctrl-C stops at once keeping what finished, and the workers never outlive their parent."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

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


# Runs of about half a second each (10,000 steps) and enough of them (72) that two workers are kept busy for
# far longer than any of the time limits below: a test passes only if stopping really is prompt.
SLOWER = SLOW.replace("dt = 0.01", "dt = 0.001").replace("seeds = 4", "seeds = 8")
SLOWER_RUNS = 3 * 3 * 8


def pool_tournament(path: Path, out: Path, *extra: str) -> subprocess.Popen:
    """A tournament on two pool workers, in its own session so that a signal can go to its whole group."""
    command = [sys.executable, "-m", "labrace.cli.main", "tournament", str(path), "--out", str(out),
               "--workers", "2", "--batch", "1", "--no-progress", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def wait_for_parts(process: subprocess.Popen, out: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and len(ResultsStore(out).parts()) < count:
        time.sleep(0.05)
    assert process.poll() is None, "the tournament ended before it could be stopped"
    assert len(ResultsStore(out).parts()) >= count


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` still running (an unreaped zombie has stopped computing)."""
    out = []
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            if process.status() != psutil.STATUS_ZOMBIE:
                out.append(process)
    return out


def test_ctrl_c_stops_at_once_and_keeps_the_finished_batches(tmp_path):
    path = tmp_path / "slower.toml"
    path.write_text(SLOWER)
    out = tmp_path / "out"
    process = pool_tournament(path, out)
    try:
        wait_for_parts(process, out, 2)
        workers = psutil.Process(process.pid).children(recursive=True)
        assert workers
        stopped = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        _, err = process.communicate(timeout=60)
        seconds = time.monotonic() - stopped
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err.decode()
    assert seconds < 8, f"took {seconds:.1f} s to stop"
    assert "interrupted" in err.decode() and "Traceback" not in err.decode()
    gone_by = time.monotonic() + 5
    while alive(workers) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not alive(workers)
    kept = ResultsStore(out).read()
    assert 2 <= kept["key"].nunique() < SLOWER_RUNS
    assert not kept.duplicated(["key", "seat"]).any()
    # a resume recognises every stored run and plays only missing ones
    resume = subprocess.run([sys.executable, "-m", "labrace.cli.main", "tournament", str(path), "--out", str(out),
                             "--serial", "--limit", "2", "--no-progress"], capture_output=True, timeout=120)
    assert resume.returncode == 0, resume.stderr.decode()
    assert f"2 new runs (0 failed, 0 lost), {kept['key'].nunique()} already done" in resume.stdout.decode()
    after = ResultsStore(out).read()
    assert after["key"].nunique() == kept["key"].nunique() + 2
    assert not after.duplicated(["key", "seat"]).any()


def test_sigkill_of_the_parent_ends_its_workers(tmp_path):
    path = tmp_path / "slower.toml"
    path.write_text(SLOWER)
    out = tmp_path / "out"
    process = pool_tournament(path, out)
    workers: list[psutil.Process] = []
    try:
        wait_for_parts(process, out, 1)
        workers = psutil.Process(process.pid).children(recursive=True)
        assert workers
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 5
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(workers), [w.pid for w in alive(workers)]
    finally:
        for worker in alive(workers):
            worker.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
