"""Policy tournaments: every line-up of entrants in every scenario, seed and sweep point.

``load_tournament`` validates a tournament file, ``plan_runs`` lists its runs (keyed by configuration
hash), ``play`` runs the missing ones through any executor into a :class:`ResultsStore`, and
``write_analysis`` turns the store into rankings, payoff matrices, figures and the game-theoretic view.
"""

from scenarios.tournament.execute import PlayReport, batch_size_for, make_executor, play
from scenarios.tournament.plan import RunTask, plan_frame, plan_runs
from scenarios.tournament.report import write_analysis
from scenarios.tournament.spec import TournamentSpec, load_tournament, shipped_tournaments
from scenarios.tournament.store import ResultsStore

__all__ = ["PlayReport", "ResultsStore", "RunTask", "TournamentSpec", "batch_size_for", "load_tournament",
           "make_executor", "plan_frame", "plan_runs", "play", "shipped_tournaments", "write_analysis"]
