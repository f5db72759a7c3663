"""Decisions under uncertainty: Monte Carlo over a scenario's distributions and Sobol sensitivity analysis."""
