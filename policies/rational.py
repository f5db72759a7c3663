"""The ``nash`` forecast: a planning lab that expects its planning rivals to best-respond (receding-horizon Nash).

The naive forecasts of :mod:`policies.forecast` keep a rival's last training share. Before anyone serves
that share is 1, so the rival is forecast never to sell and the planning lab's best response is the
lab-alone plan; business stealing vanishes from the plan, and after every re-plan the lab sees the rival
serving and corrects (a saw-tooth). Here, at each re-plan, the lab solves the open-loop Nash equilibrium
of the remaining game from the observed state (:func:`policies.nash.solve_open_loop_nash`): rivals whose
policy plans are optimisers, rivals following a rule are held at their observed share (as the
``constant_alpha`` forecast holds them), and the lab plays its own part of the equilibrium until its next
re-plan. Re-plans are warm-started from the previous equilibrium, which is what makes them cheap.
"""

from __future__ import annotations

import numpy as np

from policies.base import Array, Observation
from policies.nash import NashResult, solve_open_loop_nash
from policies.registry import policy_class

EQUILIBRIUM_TOL = 1e-6
"""Largest change of any alpha between best-response iterations at which the forecast counts as solved
(the ``nash`` policy's default; each best response is solved to the planner's own ``tol``)."""


def planning_labs(obs: Observation) -> Array:
    """Which labs plan (their policy family declares ``plans``): they are forecast as optimisers."""
    return np.array([policy_class(spec.policy.name).plans for spec in obs.labs])


def receding_nash(obs: Observation, rival_alpha: Array, intervals: int, tol: float,
                  previous: NashResult | None = None) -> NashResult:
    """The open-loop equilibrium of the game left from ``obs`` on ``intervals`` grid steps.

    Labs that do not plan keep ``rival_alpha`` (their observed share); ``previous`` (an equilibrium from
    an earlier re-plan) warm-starts the iteration on the new grid.
    """
    t = np.linspace(obs.t, obs.horizon, intervals + 1)
    planning = planning_labs(obs)
    fixed = {int(j): float(rival_alpha[j]) for j in np.flatnonzero(~planning)}
    warm = None
    if previous is not None:
        warm = np.array([previous.alpha_at(i, t) for i in range(obs.n_labs)])
    return solve_open_loop_nash(obs, intervals=intervals, tol=EQUILIBRIUM_TOL, inner_tol=tol, alpha0=warm,
                                fixed=fixed)
