"""Policy tournaments: every line-up of entrants in every scenario, seed and sweep point.

``load_tournament`` validates a tournament file, ``plan_runs`` lists its runs (keyed by configuration
hash), ``play`` runs the missing ones through any executor into a :class:`ResultsStore`, and
``write_analysis`` turns the store into rankings, payoff matrices, figures and the game-theoretic view;
``plan_tournament`` and ``play_tournament`` do all of it and return a :class:`TournamentResult`.
"""

from importlib import import_module
from typing import Any

# Where each public name lives. Imported on first use (PEP 562), so that a worker process, which only
# needs the executor's task function, does not pay for the analysis, figure and sampling modules.
_EXPORTS = {
    "Interrupted": "execute", "PlayReport": "execute", "batch_size_for": "execute", "make_executor": "execute",
    "play": "execute",
    "RunTask": "plan", "plan_frame": "plan", "plan_runs": "plan",
    "Analysis": "report", "analyse": "report", "write_analysis": "report",
    "TournamentPlan": "result", "TournamentResult": "result", "plan_tournament": "result",
    "play_tournament": "result",
    "TournamentSpec": "spec", "load_tournament": "spec", "shipped_tournaments": "spec",
    "ResultsStore": "store",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'labrace.tournaments' has no attribute {name!r}")
    return getattr(import_module(f"labrace.tournaments.{_EXPORTS[name]}"), name)


__all__ = ["Analysis", "Interrupted", "PlayReport", "ResultsStore", "RunTask", "TournamentPlan",
           "TournamentResult", "TournamentSpec", "analyse", "batch_size_for", "load_tournament", "make_executor",
           "plan_frame", "plan_runs", "plan_tournament", "play", "play_tournament", "shipped_tournaments",
           "write_analysis"]
