"""A whole tournament as two calls: plan it (file, runs, store), then play the missing runs and analyse.

:func:`plan_tournament` validates the file and lists its runs without running anything, so a caller can
say what is about to happen; :func:`play_tournament` plays the runs not yet in the store, re-reads every
stored result of the plan, writes the analysis next to the store and returns it all as a
:class:`TournamentResult`. ``labrace tournament`` and :func:`labrace.tournament` are both these two calls.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
from matplotlib.figure import Figure

from labs.params import Param
from labrace.tournaments.analysis import results_frame
from labrace.tournaments.execute import PlayReport, batch_size_for, make_executor, play
from labrace.tournaments.figures import overview
from labrace.tournaments.destination import claim_output, needed_bytes
from labrace.tournaments.plan import MAX_RUNS, RunTask, plan_frame, plan_runs, planning_labs
from labrace.tournaments.report import Analysis, write_analysis
from labrace.tournaments.spec import TournamentSpec, load_tournament
from labrace.tournaments.store import ResultsStore
from labrace.version import labrace_version

WORKERS = Param("workers", 1, "worker processes (0: serial in this process)", kind="int", low=0, high=4096)
BATCH = Param("batch", 1, "runs per task", kind="int", low=1, high=100000)
LIMIT = Param("limit", 0, "missing runs to play", kind="int", low=0)


def _warn(note: str) -> None:
    print(note, file=sys.stderr)


@dataclass(frozen=True)
class TournamentPlan:
    """A validated tournament, every run it needs (keyed for this labrace version) and its store."""

    spec: TournamentSpec
    tasks: list[RunTask]
    version: str
    out: Path

    @property
    def store(self) -> ResultsStore:
        return ResultsStore(self.out)


@dataclass
class TournamentResult:
    """What a tournament invocation did (``report``) and what the store now says (everything else).

    ``results`` has one row per seat of every planned run (``status`` ok, failed or missing) with its
    outcomes and relative NPV; the ranking, payoff matrices and equilibrium are those written to ``out``.
    """

    spec: TournamentSpec
    out: Path
    report: PlayReport
    results: pd.DataFrame
    analysis: Analysis

    @property
    def ranking(self) -> pd.DataFrame:
        """Per policy, best first: runs, NPV mean and median, relative NPV with its 95% bootstrap interval over
        its appearances, win rate, rank."""
        return self.analysis.ranking

    @property
    def ranking_by_scenario(self) -> pd.DataFrame:
        return self.analysis.ranking_by_scenario

    @property
    def ranking_by_sweep(self) -> pd.DataFrame:
        """The ranking at each sweep point (one column per swept parameter)."""
        return self.analysis.ranking_by_sweep

    @property
    def payoff_matrix(self) -> pd.DataFrame | None:
        """Mean NPV of the row policy against the column opponent (``None`` without duopoly runs)."""
        return self.analysis.payoff_matrix

    @property
    def payoff_matrix_relative(self) -> pd.DataFrame | None:
        """The payoff matrix in relative NPV: the payoffs of the empirical game."""
        return self.analysis.payoff_matrix_relative

    @property
    def equilibrium(self) -> dict[str, Any]:
        """The contents of ``equilibrium.json``: replicator limit, symmetric Nash equilibria, regret."""
        return self.analysis.equilibrium

    @property
    def robust(self):
        """Across the sweep points: each entrant's expected relative NPV and regret, each world's winner and
        the rules saying where each wins (``None`` without two sweep points; see
        :mod:`labrace.tournaments.robust`)."""
        return self.analysis.robust

    @property
    def failed_runs(self) -> int:
        """Runs of this tournament recorded as failed, by this invocation or an earlier one."""
        return int((self.results.drop_duplicates("key")["status"] == "failed").sum())

    def plot(self) -> Figure:
        """The ranking with its confidence intervals beside the relative payoff heatmap."""
        return overview(self.ranking, self.payoff_matrix_relative)


def plan_tournament(source: str | Path, out: str | Path, max_runs: int = MAX_RUNS.default) -> TournamentPlan:
    """Validate the tournament file (path or shipped name) and list its runs; nothing runs yet.

    A tournament of more than ``max_runs`` runs is refused before any is listed.
    """
    spec = load_tournament(source)
    version = labrace_version()
    return TournamentPlan(spec, plan_runs(spec, version, MAX_RUNS.check(max_runs, "max_runs")), version, Path(out))


def play_tournament(plan: TournamentPlan, workers: int | None = None, dask: str | None = None,
                    batch: int | None = None, limit: int | None = None, progress: bool = True,
                    notify: Callable[[str], None] = _warn) -> TournamentResult:
    """Play the plan's missing runs (at most ``limit``), then analyse every stored result of the plan.

    ``workers`` processes (default: all cores; 0 plays in this process) or the Dask scheduler at ``dask``;
    ``batch`` runs per task (default: :func:`batch_size_for`). The output directory is claimed first (an
    exclusive lock, a write test, free space for the results), and damaged parts of the store are set
    aside, each reported through ``notify`` before their runs are played again. The analysis files are
    (re)written to ``plan.out`` even when nothing new was played.
    """
    workers = WORKERS.check(os.cpu_count() or 1 if workers is None else workers)
    limit = None if limit is None else LIMIT.check(limit)
    batch = batch_size_for(len(plan.tasks), workers) if batch is None else BATCH.check(batch)
    store = plan.store
    with claim_output(plan.out, needed_bytes(plan.tasks, batch)):
        for note in store.check():
            notify(str(note))
        with make_executor(workers, dask) as executor:
            report = play(plan.tasks, store, executor, plan.version, batch, limit, progress=progress,
                          cost=planning_labs)
        frame = results_frame(plan_frame(plan.tasks), store.read())
        analysis = write_analysis(plan.spec, frame, plan.out)
    return TournamentResult(plan.spec, plan.out, report, frame, analysis)
