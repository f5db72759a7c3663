"""The output directory of a tournament: damaged parts, duplicate rows, the lock, writability, size limits.

Every problem here used to surface late (after the whole tournament had been computed) or as a traceback;
each is now either repaired (damaged parts are quarantined and replayed, duplicates ignored) or refused
up front with exit status 2 and one line naming the file, directory or option.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import namedtuple
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labrace.cli.main import main
from labrace.tournaments import ResultsStore, load_tournament, plan_runs
from labrace.tournaments.plan import count_runs
from test_tournament import runs, write

TOTAL = 36  # SMALL: 9 ordered line-ups x 2 gamma values x 2 seeds


def tournament(path: Path, out: Path, *flags: str) -> int:
    return main(["tournament", str(path), "--out", str(out), "--serial", "--no-progress", *flags])


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def truncate(part: Path) -> None:
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])


def empty(part: Path) -> None:
    part.write_bytes(b"")


def foreign(part: Path) -> None:
    pq.write_table(pa.table({"x": [1, 2, 3], "y": ["a", "b", "c"]}), part)


@pytest.mark.parametrize("damage", [truncate, empty, foreign])
def test_damaged_part_is_quarantined_and_its_runs_replayed(tmp_path, capsys, damage):
    path = write(tmp_path)
    out = tmp_path / "out"
    assert tournament(path, out, "--batch", "4", "--limit", "12") == 0
    parts = ResultsStore(out).parts()
    assert len(parts) == 3
    damaged = parts[1]
    damage(damaged)
    capsys.readouterr()
    assert tournament(path, out) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert f"{damaged}: damaged results part" in captured.err and "quarantine" in captured.err
    assert (out / "quarantine" / damaged.name).exists() and not damaged.exists()
    assert "28 new runs" in captured.out  # the 24 never played and the 4 of the damaged part
    done = runs(out)
    assert done["key"].nunique() == TOTAL and not done.duplicated(["key", "seat"]).any()
    fresh = tmp_path / "fresh"
    assert tournament(path, fresh) == 0
    pd.testing.assert_frame_equal(done, runs(fresh))


def test_duplicate_rows_in_the_store_are_read_once(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "out"
    assert tournament(path, out, "--batch", "4") == 0
    ranking = pd.read_csv(out / "ranking.csv")
    part = ResultsStore(out).parts()[0]
    shutil.copy(part, part.with_name("part-999999-copy.parquet"))  # as if a second process had played it
    stored = ResultsStore(out).read()
    assert len(stored) == 2 * TOTAL and not stored.duplicated(["key", "seat"]).any()
    capsys.readouterr()
    assert tournament(path, out) == 0
    assert "0 new runs" in capsys.readouterr().out
    pd.testing.assert_frame_equal(ranking, pd.read_csv(out / "ranking.csv"))


def test_a_second_tournament_into_a_locked_directory_is_refused(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / "tournament.lock", "a+") as holder:  # what a running tournament holds
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert tournament(path, out) == 2
        line = one_error_line(capsys.readouterr().err)
        assert str(out / "tournament.lock") in line and "another tournament" in line
        assert ResultsStore(out).parts() == []
    assert tournament(path, out) == 0  # released: the same command now plays


def test_out_that_is_a_file_is_refused_before_playing(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "taken"
    out.write_text("not a directory")
    assert tournament(path, out) == 2
    assert str(out) in one_error_line(capsys.readouterr().err)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_out_is_refused_before_playing(tmp_path, capsys):
    path = write(tmp_path)
    out = tmp_path / "ro"
    (out / "runs.parquet").mkdir(parents=True)
    (out / "runs.parquet").chmod(0o500)
    try:
        assert tournament(path, out) == 2
    finally:
        (out / "runs.parquet").chmod(0o700)
    assert "not writable" in one_error_line(capsys.readouterr().err)


def test_full_disk_is_refused_before_playing(tmp_path, capsys, monkeypatch):
    path = write(tmp_path)
    out = tmp_path / "out"
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(10**9, 10**9 - 4096, 4096))
    assert tournament(path, out) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(out) in line and "MiB free" in line
    assert ResultsStore(out).parts() == []


def test_dask_without_a_scheduler_fails_fast_with_exit_2(tmp_path, capsys):
    path = write(tmp_path)
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    code = main(["tournament", str(path), "--out", str(tmp_path / "out"), "--dask", f"tcp://127.0.0.1:{port}",
                 "--no-progress"])
    assert code == 2 and time.monotonic() - start < 15
    line = one_error_line(capsys.readouterr().err)
    assert "--dask" in line and f"127.0.0.1:{port}" in line


def test_run_count_is_computed_without_listing(tmp_path):
    for extra in ("", 'seating = "rotations"'):
        spec = load_tournament(write(tmp_path, extra=extra))
        assert count_runs(spec) == len(plan_runs(spec, "x"))


@pytest.mark.parametrize("change,fields", [
    (("lineup_size = 2", "lineup_size = 16"), "lineup_size"),  # 3^16 = 43 million ordered line-ups
    (('"market.gamma" = [1.5, 2.0]', '"market.gamma" = [1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0]\n'
      '"market.omega" = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]\n'
      '"market.delta0" = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]\n'
      '"labs.discount" = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]'), "sweep"),
])
def test_oversized_tournament_is_refused_before_listing_its_runs(tmp_path, change, fields):
    path = write(tmp_path)
    path.write_text(path.read_text().replace(*change))
    command = [sys.executable, "-m", "labrace.cli.main", "tournament", str(path), "--out", str(tmp_path / "out"),
               "--serial", "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert str(path) in line and fields in line and "--max-runs" in line
    assert not (tmp_path / "out").exists()


def test_max_runs_sets_the_limit(tmp_path, capsys):
    path = write(tmp_path)
    assert tournament(path, tmp_path / "out", "--max-runs", str(TOTAL - 1)) == 2
    assert f"exceed the limit of {TOTAL - 1}" in one_error_line(capsys.readouterr().err)
    assert tournament(path, tmp_path / "out", "--max-runs", str(TOTAL)) == 0


@pytest.mark.parametrize("changes", [
    [('policy = "catch_up"', 'policy = "pontryagin"\nparams = { grid = 100000 }'),
     ("horizon = 2.0, dt = 0.2", "horizon = 3.0, dt = 0.2")],
    [("horizon = 2.0, dt = 0.2", "horizon = 2.0, dt = 0.00001")],
])
def test_a_run_too_large_for_one_machine_is_refused_before_any_is_played(tmp_path, capsys, changes):
    """The single-run limits apply to every run a tournament would play: the entrant's solver grid x the
    horizon, or the steps a scenario's dt asks for, name the file and the field before anything runs."""
    path = write(tmp_path)
    text = path.read_text()
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    assert tournament(path, tmp_path / "out") == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(path) in line and "more than the limit" in line and "--max-" in line
    assert not (tmp_path / "out").exists()


def test_a_run_that_overflows_is_recorded_as_failed_with_the_reason(tmp_path, capsys):
    """Tournament runs go through the same checked loop as ``labrace run``: a run whose numbers leave the
    floating-point range is a failed run saying which lab and quantity, never a row of inf or nan."""
    path = write(tmp_path)
    text = path.read_text()
    assert '{ name = "big", compute0 = 200.0 }' in text
    path.write_text(text.replace('{ name = "big", compute0 = 200.0 }',
                                 '{ name = "big", compute0 = 200.0, law_params = { beta_T = 1e200 } }'))
    assert tournament(path, tmp_path / "out") == 1
    stored = ResultsStore(tmp_path / "out").read()
    failed = stored[stored["status"] == "failed"]
    assert len(failed) > 0  # at gamma = 2 the big lab's value M^gamma K passes 1e308
    assert failed["error"].str.contains("left the floating-point range").all()
    assert np.isfinite(stored.loc[stored["status"] == "ok", "npv"]).all()
