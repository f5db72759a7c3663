"""An uncertainty study in one call: build it, play the missing runs into ``out``, write its files.

``labrace run --samples``, ``labrace sensitivity`` and :func:`labrace.monte_carlo` /
:func:`labrace.sensitivity` are these functions plus argument parsing and printing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from scenarios.limits import Limits
from scenarios.loader import Scenario
from labrace.uncertainty.montecarlo import MonteCarloResult, fans, intervals, monte_carlo_study
from labrace.uncertainty.outputs import write_monte_carlo, write_sensitivity
from labrace.uncertainty.sensitivity import SensitivityResult, analyse, sensitivity_study
from labrace.uncertainty.study import warn, check_study_destination


def monte_carlo(scenario: Scenario, samples: int, out: str | Path, workers: int = 0, progress: bool = True,
                limits: Limits = Limits(), figures: bool = True, force: bool = False,
                notify: Callable[[str], None] = warn) -> MonteCarloResult:
    """Run ``samples`` draws of the scenario's distributions (and seeds) into ``out``; resumable.

    Every sample is drawn and validated before the first is played, and ``out`` is checked as for a run.
    """
    out = Path(out)
    study = monte_carlo_study(scenario, samples, limits)
    check_study_destination(out, force)
    report, frame = study.play(out, workers, progress, "samples", notify)
    result = MonteCarloResult(study, out, report, frame, intervals(frame), fans(frame))
    write_monte_carlo(result, figures)
    return result


def sensitivity(scenario: Scenario, base: int, out: str | Path, workers: int = 0, progress: bool = True,
                limits: Limits = Limits(), figures: bool = True, force: bool = False,
                notify: Callable[[str], None] = warn) -> SensitivityResult:
    """Sobol indices and tornado swings of the scenario's distributions (``base`` a power of two) into ``out``;
    resumable like a Monte Carlo."""
    out = Path(out)
    study = sensitivity_study(scenario, base, limits)
    check_study_destination(out, force)
    report, frame = study.play(out, workers, progress, "sensitivity", notify)
    indices, swings, dropped = analyse(study, frame, base)
    result = SensitivityResult(study, out, report, frame, indices, swings, base, dropped)
    write_sensitivity(result, figures)
    return result
