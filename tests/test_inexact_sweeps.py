"""Inexact inner solves of the forward-backward sweep.

A sweep resolves each maximum of H only to a small fraction of the change of alpha it expects, and to
1% of ``tol`` before it may declare convergence. Checked here:

* the root search stops within its tolerance of the closed-form root, in fewer evaluations than to
  rounding;
* on the realistic study's kinds of problems (the re-plans of a Pontryagin lab in the three congested,
  noisy duopolies) the solves agree with the same solves resolving every maximum to rounding: the
  same converged flags and NPVs within 1e-10 relative, with fewer slope evaluations;
* a converged verdict is honest: the maxima of H it was taken on were resolved to 1% of ``tol``.
"""

from __future__ import annotations

import numpy as np
import pytest

import policies.optimal_control as oc
import policies.pontryagin as pontryagin
from benchmarks.study import STUDY
from labrace.simulation.model import RaceModel
from labrace.tournaments.plan import plan_runs
from labrace.tournaments.spec import load_tournament
from labrace.version import labrace_version
from policies.optimal_control import _bracketed_root, solve_pontryagin


class _SmoothSlope:
    """dH/dalpha = ``A alpha^-1/2 - 3 - k alpha`` with ``A`` chosen so that its root is ``roots``."""

    def __init__(self, roots: np.ndarray, k: float, calls: list[int]) -> None:
        self.k, self.calls = k, calls
        self.A = (3.0 + k * roots) * np.sqrt(roots)

    def slope_terms(self, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls[0] += 1
        return self.A / np.sqrt(alpha), 3.0 + self.k * alpha

    def value(self, alpha: np.ndarray) -> np.ndarray:
        return 2.0 * self.A * np.sqrt(alpha) - 3.0 * alpha - 0.5 * self.k * alpha ** 2

    def take(self, index: np.ndarray) -> "_SmoothSlope":
        sub = object.__new__(_SmoothSlope)
        sub.k, sub.calls, sub.A = self.k, self.calls, self.A[index]
        return sub


def test_root_search_stops_within_its_tolerance_in_fewer_evaluations():
    roots = np.linspace(0.05, 0.95, 80)
    xtol = np.geomspace(1e-10, 1e-4, roots.size)  # per point, as a sweep passes it
    exact, loose = [0], [0]
    to_rounding = _bracketed_root(_SmoothSlope(roots, 50.0, exact), roots - 0.03, roots + 0.05)
    found = _bracketed_root(_SmoothSlope(roots, 50.0, loose), roots - 0.03, roots + 0.05, xtol=xtol)
    np.testing.assert_allclose(to_rounding, roots, rtol=1e-13)
    assert np.all(np.abs(found - roots) <= xtol)
    assert loose[0] < exact[0], (loose[0], exact[0])


STEPS = {"duopoly_noisy": 30, "asymmetric_duopoly_noisy": 100, "data_bound_noisy": 30}
"""Steps played of each scenario's run: its first plan and six re-plans, and the whole asymmetric run,
whose later plans hold switches of the control between maxima of H (kept short: the symmetric run's
plan at t = 3.6 needs the direct-method rescue, tested in ``test_planner.py``)."""


@pytest.fixture(scope="module")
def study_solves() -> list[tuple]:
    """Every solve of the Pontryagin lab (seat 0, against a myopic rival, seed 0) over the first ``STEPS``
    of each of the study's three scenarios: problem, grid intervals and options (warm start,
    tolerance), as the policy made them."""
    version = labrace_version()
    tasks = {t.scenario: t for t in plan_runs(load_tournament(STUDY), version)
             if t.lineup == ("pontryagin", "myopic") and t.seed == 0}
    assert len(tasks) == 3
    solves: list[tuple] = []

    def recording(problem, intervals, **options):
        solves.append((problem, intervals, options))
        return solve_pontryagin(problem, intervals, **options)

    patch = pytest.MonkeyPatch()
    patch.setattr(pontryagin, "solve_pontryagin", recording)
    try:
        for task in tasks.values():
            model = RaceModel(task.config)
            for _ in range(STEPS[task.scenario]):
                model.step()
    finally:
        patch.undo()
    return solves


def _solved(solves: list[tuple]) -> tuple[list, int]:
    """The solves' results and how many vectorised slope evaluations they made."""
    calls = [0]
    signed_slope = oc._signed_slope

    def counting(h, alpha):
        calls[0] += 1
        return signed_slope(h, alpha)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(oc, "_signed_slope", counting)
        results = [solve_pontryagin(p, n, **o) for p, n, o in solves]
    return results, calls[0]


@pytest.fixture(scope="module")
def inexact(study_solves) -> tuple[list, int]:
    return _solved(study_solves)


def test_inexact_inner_solves_agree_with_solves_to_rounding(study_solves, inexact, monkeypatch):
    results, evaluations = inexact
    monkeypatch.setattr(oc, "INNER_FRACTION", 0.0)
    monkeypatch.setattr(oc, "VERDICT_FRACTION", 0.0)
    exact, exact_evaluations = _solved(study_solves)
    assert len(study_solves) >= 30
    assert any(result.extra["switch_cells"] for result in results)
    for ours, reference in zip(results, exact):
        assert ours.converged == reference.converged
        assert abs(ours.npv - reference.npv) <= 1e-10 * abs(reference.npv)
    assert evaluations < 0.95 * exact_evaluations, (evaluations, exact_evaluations)


def test_a_converged_verdict_is_taken_on_maxima_resolved_well_inside_tol(study_solves, inexact):
    for (_, _, options), result in zip(study_solves, inexact[0]):
        assert result.converged
        assert result.extra["resolution"] <= oc.VERDICT_FRACTION * options["tol"]
