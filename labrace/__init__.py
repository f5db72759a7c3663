"""labrace: frontier AI labs splitting compute between training and inference, competing in a market.

``labrace.run(scenario)`` and ``labrace.tournament(file, out=...)`` are the front door (see
:mod:`labrace.api`). The names below are imported on first use (PEP 562): ``import labrace`` stays cheap,
and a tournament's worker process, which imports this package on its way to the task function, does not
load the model, pandas or the analysis until it needs them.
"""

from importlib import import_module
from typing import Any

# public name -> module it lives in
_EXPORTS = {
    "run": "labrace.api", "tournament": "labrace.api", "read_scenario": "labrace.api",
    "load_scenario": "labrace.api", "scenarios": "labrace.api", "shipped_tournaments": "labrace.api",
    "policies": "labrace.api", "Limits": "labrace.api", "RunResult": "labrace.api", "TournamentResult": "labrace.tournaments",
    "monte_carlo": "labrace.api", "sensitivity": "labrace.api",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'labrace' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = sorted(_EXPORTS)
