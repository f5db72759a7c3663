"""``labrace tournament FILE --out DIR``: play every line-up of a tournament file and analyse the results.

Re-running the same command only plays runs whose keys are not yet in ``DIR/runs.parquet`` (an interrupted
tournament resumes; a finished one reports 0 new runs and re-writes the analysis). Exit status 1 if any run of
the tournament is recorded as failed or a batch was lost, 2 for an invalid tournament file or option. The work
is :func:`plan_tournament` and :func:`play_tournament` (as for :func:`labrace.tournament`); this module parses,
prints and chooses the exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from labrace.tournaments.plan import MAX_RUNS
from labrace.tournaments.result import BATCH, LIMIT, WORKERS, plan_tournament, play_tournament


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
    workers = 0 if args.serial else WORKERS.check(args.workers if args.workers is not None else os.cpu_count() or 1,
                                                  "--workers")
    limit = None if args.limit is None else LIMIT.check(args.limit, "--limit")
    plan = plan_tournament(args.file, args.out, MAX_RUNS.check(args.max_runs))
    batch = None if args.batch is None else BATCH.check(args.batch, "--batch")
    where = f"dask scheduler {args.dask}" if args.dask else ("serial" if workers == 0 else f"{workers} workers")
    print(f"tournament {plan.spec.name}: {len(plan.spec.entrants)} entrants, {len(plan.tasks)} runs planned ({where})")
    result = play_tournament(plan, workers, args.dask, batch, limit, progress=not args.no_progress,
                             notify=lambda note: print(note, file=sys.stderr))
    report = result.report
    print(f"{report.new} new runs ({report.failed} failed, {report.lost} lost), {report.cached} already done, "
          f"{report.seconds:.1f} s" + (f", {report.runs_per_second:.1f} runs/s" if report.new else ""))
    for error in sorted(set(report.errors))[:10]:
        print(f"  {error}", file=sys.stderr)
    top = result.ranking.iloc[0]
    print(f"leader: {top['policy']} (mean relative NPV {top['mean_relative_npv']:.3f}, 95% bootstrap interval "
          f"{top['ci_low']:.3f}-{top['ci_high']:.3f}); analysis in {args.out}")
    if result.failed_runs:
        print(f"{result.failed_runs} runs of this tournament are recorded as failed (see summary.md)", file=sys.stderr)
    return 1 if result.failed_runs or report.lost else 0
