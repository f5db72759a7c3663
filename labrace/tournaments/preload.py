"""What a tournament's fork server loads once, before it forks any worker.

Workers are forked from the server, so whatever it has loaded they start with: the modules a batch of
runs needs, the policy families among them (the registry imports them on first use, which every worker
of every pool would otherwise do for itself), and the planner's compiled kernels
(:func:`policies.kernels.load`, which every worker would otherwise load from numba's cache on its first
plan). Only the fork server imports this module.
"""

from __future__ import annotations

import labrace.tournaments.execute  # noqa: F401  (the workers' entry points)
from policies import kernels
from policies.registry import load_families

load_families()
kernels.load()
