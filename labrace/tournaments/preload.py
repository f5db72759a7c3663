"""What a tournament's fork server loads once, before it forks any worker.

Workers are forked from the server, so whatever it has loaded they start with: the modules a batch of
runs needs, the policy families among them (the registry imports them on first use, which would
otherwise cost every worker of every pool a few tenths of a second), and the planner's compiled kernels
(:func:`policies.kernels.load`; loading them from numba's cache is a few tenths of a second more). Only
the fork server imports this module.
"""

from __future__ import annotations

import importlib

from policies import kernels
from policies.registry import FAMILY_MODULES

MODULES = ("labrace.tournaments.execute", "policies.registry", *FAMILY_MODULES)

for _name in MODULES:
    importlib.import_module(_name)
kernels.load()
