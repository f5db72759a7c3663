"""Reproductions of the seed papers' results with labrace's verified solvers.

Each reproduction re-runs a paper's experiments, checks the numbers by an independent method, emulates the
paper's own numerical scheme to explain any disagreement, and writes data, figures and a report.
"""
