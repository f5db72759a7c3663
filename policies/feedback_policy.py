"""The ``feedback`` policy: play this lab's Markov-perfect equilibrium strategy from the observed state.

The policy solves the race's Markov-perfect equilibrium once (:mod:`policies.feedback.race`), from the
state it first observes to the horizon, and then at every step reads its lab's move off the equilibrium
at the state it observes: its own Bellman equation for that step, solved at that state, with its rivals at
their equilibrium strategies and the equilibrium's continuation values. The strategy is a function of
the state, not a plan, so a lab that finds itself off the equilibrium path (a rival that did not play
its part, a breakthrough) still plays optimally from where it is. Two events make it solve again, from
the observed state: a lab's state leaving the grid (a breakthrough beyond the grid's room) and a
change of a breakthrough multiplier the equilibrium took as fixed (a law whose state does not carry
breakthroughs, such as ``chinchilla``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labs.params import Param
from policies.base import Array, Observation, PlanLog, Policy
from policies.feedback.race import RaceEquilibrium, RaceGame, solve_race_equilibrium
from policies.registry import register

@dataclass(frozen=True)
class EquilibriumPath:
    """A lab's shares on the equilibrium path from the state of the last solve (at each solver step's
    start): the policy's plan as far as it has one, which is what plan views show."""

    t: Array
    alpha: Array


@register
class FeedbackPolicy(Policy):
    name = "feedback"
    description = ("Play this lab's Markov-perfect equilibrium strategy of the race (backward induction on "
                   "a state grid) from the observed state.")
    plans = True
    params = {
        "nodes": Param("nodes", 13, "grid nodes per lab along its state axis", kind="int", low=4, high=65),
        "steps_per_year": Param("steps_per_year", 5, "time steps per year of the backward induction",
                                kind="int", low=1, high=200),
        "low": Param("low", 0.25, "grid's lower edge as a fraction of the flat-out gain since the solve",
                     low=0.0, high=0.9),
        "high": Param("high", 1.25, "grid's upper edge as a fraction of the flat-out gain since the solve "
                      "(above 1: room for breakthroughs)", low=1.0, high=10.0),
        "tol": Param("tol", 1e-5, "stage games' convergence tolerance on alpha", low=0.0, low_open=True,
                     high=1e-2),
    }

    def reset(self) -> None:
        self.equilibrium: RaceEquilibrium | None = None
        self.plans: dict[int, EquilibriumPath] = {}
        self.log = PlanLog()

    def solve(self, obs: Observation) -> RaceEquilibrium:
        """The equilibrium from the observed state to the horizon."""
        steps = max(1, int(np.ceil((obs.horizon - obs.t) * self.p["steps_per_year"] - 1e-9)))
        return solve_race_equilibrium(RaceGame(obs, steps), self.p["nodes"], span=(self.p["low"], self.p["high"]),
                                      tol=self.p["tol"])

    def _due(self, obs: Observation) -> bool:
        eq = self.equilibrium
        if eq is None:
            return True
        x, multipliers = eq.game.observed(obs)
        return not eq.covers(obs.t, x) or not np.allclose(multipliers, eq.game.multipliers, rtol=1e-12, atol=0.0)

    def decide(self, obs: Observation, labs: Array) -> Array:
        if obs.t >= obs.horizon:
            return np.zeros(labs.size)
        if self._due(obs):
            self.equilibrium = self.solve(obs)
            eq = self.equilibrium
            _, shares, _ = eq.path()
            for lab in labs:
                self.log.record(int(lab), obs.t, eq.converged, eq.change, "" if eq.converged else eq.message)
                self.plans[int(lab)] = EquilibriumPath(eq.t[:-1], shares[:, int(lab)])
        eq = self.equilibrium
        x, _ = eq.game.observed(obs)
        return np.array([float(eq.best_response(obs.t, x[None, :], int(lab))[0]) for lab in labs])
