"""Policy tournaments: every line-up of entrants in every scenario, seed and sweep point.

``load_tournament`` validates a tournament file, ``plan_runs`` lists its runs (keyed by configuration
hash), ``play`` runs the missing ones through any executor into a :class:`ResultsStore`, and
``write_analysis`` turns the store into rankings, payoff matrices, figures and the game-theoretic view.
"""

from importlib import import_module
from typing import Any

# Where each public name lives. Imported on first use (PEP 562), so that a worker process, which only
# needs the executor's task function, does not pay for the analysis, figure and sampling modules.
_EXPORTS = {
    "Interrupted": "execute", "PlayReport": "execute", "batch_size_for": "execute", "make_executor": "execute",
    "play": "execute",
    "RunTask": "plan", "plan_frame": "plan", "plan_runs": "plan",
    "write_analysis": "report",
    "TournamentSpec": "spec", "load_tournament": "spec", "shipped_tournaments": "spec",
    "ResultsStore": "store",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'labrace.tournaments' has no attribute {name!r}")
    return getattr(import_module(f"labrace.tournaments.{_EXPORTS[name]}"), name)


__all__ = ["Interrupted", "PlayReport", "ResultsStore", "RunTask", "TournamentSpec", "batch_size_for",
           "load_tournament", "make_executor", "plan_frame", "plan_runs", "play", "shipped_tournaments",
           "write_analysis"]
