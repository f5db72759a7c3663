"""Markov-perfect (feedback) equilibria by dynamic programming, with the problems that verify them.

``grid`` (states and interpolation), ``maximise`` (vectorised scalar maximisation) and ``engine`` (the
N-player value iteration) make the generic solver; ``lq`` solves linear-quadratic games exactly, in
feedback and in open loop; ``fish_war`` and ``duopoly`` are the verification problems with known answers.
"""

from policies.feedback.engine import FeedbackResult, MarkovGame, solve_markov_perfect
from policies.feedback.grid import StateGrid
from policies.feedback.lq import LQGame, LQFeedbackResult, LQOpenLoopResult, solve_lq_feedback, solve_lq_open_loop

__all__ = ["FeedbackResult", "LQFeedbackResult", "LQGame", "LQOpenLoopResult", "MarkovGame", "StateGrid",
           "solve_lq_feedback", "solve_lq_open_loop", "solve_markov_perfect"]
