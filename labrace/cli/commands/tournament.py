"""``labrace tournament FILE --out DIR``: play every line-up of a tournament file and analyse the results.

Re-running the same command only plays runs whose keys are not yet in ``DIR/runs.parquet`` (an interrupted
tournament resumes; a finished one reports 0 new runs and re-writes the analysis). Exit status 1 if any run of
the tournament is recorded as failed or a batch was lost, 2 for an invalid tournament file or option.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from labs.params import Param
from labrace.version import labrace_version
from labrace.tournaments import (ResultsStore, batch_size_for, load_tournament, make_executor, plan_frame,
                                  plan_runs, play, write_analysis)
from labrace.tournaments.analysis import results_frame
from labrace.tournaments.destination import claim_output, needed_bytes
from labrace.tournaments.plan import MAX_RUNS

WORKERS = Param("--workers", 1, "worker processes", kind="int", low=0, high=4096)
BATCH = Param("--batch", 1, "runs per task", kind="int", low=1, high=100000)
LIMIT = Param("--limit", 0, "missing runs to play", kind="int", low=0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="tournament TOML file or shipped tournament name")
    parser.add_argument("--out", required=True, type=Path, help="output directory (results store and analysis)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--workers", type=int, default=None,
                      help="worker processes (default: all cores; 0: serial in this process)")
    mode.add_argument("--serial", action="store_true", help="run in this process (same as --workers 0)")
    mode.add_argument("--dask", metavar="ADDRESS", help="run on a dask.distributed scheduler at ADDRESS")
    parser.add_argument("--batch", type=int, default=None, help="runs per task (default: automatic)")
    parser.add_argument("--limit", type=int, default=None, help="play at most this many missing runs")
    parser.add_argument("--max-runs", type=int, default=MAX_RUNS.default,
                        help=f"refuse a tournament of more runs than this (default: {MAX_RUNS.default})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    workers = 0 if args.serial else WORKERS.check(args.workers if args.workers is not None else os.cpu_count() or 1)
    limit = None if args.limit is None else LIMIT.check(args.limit)
    spec = load_tournament(args.file)
    version = labrace_version()
    tasks = plan_runs(spec, version, MAX_RUNS.check(args.max_runs))
    store = ResultsStore(args.out)
    batch = BATCH.check(args.batch) if args.batch is not None else batch_size_for(len(tasks), workers)
    where = f"dask scheduler {args.dask}" if args.dask else ("serial" if workers == 0 else f"{workers} workers")
    print(f"tournament {spec.name}: {len(spec.entrants)} entrants, {len(tasks)} runs planned ({where})")
    with claim_output(args.out, needed_bytes(tasks, batch)):
        for note in store.check():
            print(note, file=sys.stderr)
        with make_executor(workers, args.dask) as executor:
            report = play(tasks, store, executor, version, batch, limit, progress=not args.no_progress)
        print(f"{report.new} new runs ({report.failed} failed, {report.lost} lost), {report.cached} already done, "
              f"{report.seconds:.1f} s" + (f", {report.runs_per_second:.1f} runs/s" if report.new else ""))
        for error in sorted(set(report.errors))[:10]:
            print(f"  {error}", file=sys.stderr)
        frame = results_frame(plan_frame(tasks), store.read())
        written = write_analysis(spec, frame, args.out)
    top = written["ranking"].iloc[0]
    print(f"leader: {top['policy']} (mean relative NPV {top['mean_relative_npv']:.3f}, 95% bootstrap interval "
          f"{top['ci_low']:.3f}-{top['ci_high']:.3f}); analysis in {args.out}")
    failed = int((frame.drop_duplicates("key")["status"] == "failed").sum())
    if failed:
        print(f"{failed} runs of this tournament are recorded as failed (see summary.md)", file=sys.stderr)
    return 1 if failed or report.lost else 0
