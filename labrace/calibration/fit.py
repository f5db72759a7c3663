"""Least-squares calibration of a scenario to public figures, with the parameters the data cannot pin.

Each target figure contributes the residual (ln model - ln median) / sigma, sigma being the standard
deviation of the figure's log (from its p5-p95 range, or the calibration's ``point_sigma``). The model's
value is measured on a real run of the scenario (:mod:`labrace.calibration.measures`) cut to the span
the figures cover, so the fit calibrates exactly the model that ``labrace run`` plays. The free
parameters move on their scales (log, logit, linear) under :func:`scipy.optimize.least_squares`.

Identification is read off the Jacobian J of the residuals at the optimum, over the free and the probed
parameters together. For parameter j, the distance of its column from the span of all other columns is
how much the residuals must change when j moves by one unit of its scale and every other parameter
re-adjusts to compensate — the curvature of the linearised profile of the fit — so 1 / distance is its
standard error. A parameter whose standard error exceeds one unit of its scale (a factor e on the log
scale) is not pinned by the data; the small singular values of J name the combinations that trade off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from scenarios.figures import Figure
from scenarios.loader import config_from_dict
from labrace.calibration.measures import MEASURES, log_sigma
from labrace.calibration.spec import CalibrationSpec, Parameter
from labrace.simulation.run import RunResult, run_config

PINNED = 0.5
"""A standard error (in units of the parameter's scale) below this: the data pin the parameter."""
UNPINNED = 3.0
"""A standard error above this (a factor e^3 = 20 on the log scale): the data cannot pin the parameter."""
JACOBIAN_STEP = 1e-5
"""Central-difference step of the identification Jacobian, in units of each parameter's scale."""
Z90 = 1.6448536269514722


@dataclass(frozen=True)
class Target:
    figure: Figure
    sigma: float


@dataclass
class CalibrationFit:
    """The fit: targets beside the model, fitted parameters, identification, and the calibrated data."""

    spec: CalibrationSpec
    targets: pd.DataFrame
    comparisons: pd.DataFrame
    parameters: pd.DataFrame
    jacobian: np.ndarray
    """Residuals' Jacobian at the optimum: one column per free then probed parameter (units of its scale)."""
    data: dict[str, Any]
    cost: float
    evaluations: int
    converged: bool
    message: str

    @property
    def unpinned(self) -> list[str]:
        """Every free or probed parameter the data cannot pin."""
        return list(self.parameters.loc[self.parameters["verdict"] == "not pinned", "parameter"])


def _horizon(spec: CalibrationSpec, targets: list[Figure], dt: float) -> float:
    """The run length that covers every figure (at least one year, for the first-year trend measures)."""
    last = max([f.period_end for f in targets] + [spec.units.start_year + 1.0])
    return (math.ceil(round((last - spec.units.start_year) / dt, 9)) + 1) * dt


def _play(spec: CalibrationSpec, data: dict[str, Any], horizon: float) -> RunResult:
    cut = dict(data, horizon=horizon)
    return run_config(config_from_dict(cut, spec.scenario_source))


def _model_values(spec: CalibrationSpec, result: RunResult, figures: list[Figure]) -> list[float | None]:
    return [MEASURES[f.figure](result, f, spec.units) for f in figures]


def _measurable(spec: CalibrationSpec, data: dict[str, Any], kinds: set[str]) -> tuple[list[Figure], list[Figure]]:
    """The figures of ``kinds`` that the scenario's run can measure, and those it cannot."""
    chosen = [f for f in spec.figures.figures if f.figure in kinds]
    dt = float(data.get("dt", 0.1))
    probe = _play(spec, data, _horizon(spec, chosen, dt))
    values = _model_values(spec, probe, chosen)
    return ([f for f, v in zip(chosen, values) if v is not None],
            [f for f, v in zip(chosen, values) if v is None])


class _Problem:
    """The residual function over a list of parameters (internal coordinates)."""

    def __init__(self, spec: CalibrationSpec, parameters: tuple[Parameter, ...], targets: list[Target],
                 base: dict[Parameter, float], horizon: float) -> None:
        self.spec, self.parameters, self.targets, self.base, self.horizon = spec, parameters, targets, base, horizon
        self.calls = 0

    def data(self, x: np.ndarray) -> dict[str, Any]:
        values = dict(self.base)
        values.update({p: p.to_value(float(v)) for p, v in zip(self.parameters, x)})
        return self.spec.with_values(values)

    def values(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        result = _play(self.spec, self.data(x), self.horizon)
        found = _model_values(self.spec, result, [t.figure for t in self.targets])
        return np.array([np.nan if v is None else v for v in found], dtype=float)

    def residuals(self, x: np.ndarray) -> np.ndarray:
        model = self.values(x)
        median = np.array([t.figure.median for t in self.targets])
        sigma = np.array([t.sigma for t in self.targets])
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (np.log(np.maximum(model, 1e-300)) - np.log(median)) / sigma
        return np.where(np.isfinite(r), r, 1e3)

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """Central differences with a fixed step on each parameter's scale."""
        columns = []
        for j in range(len(x)):
            up, down = x.copy(), x.copy()
            up[j] += JACOBIAN_STEP
            down[j] -= JACOBIAN_STEP
            columns.append((self.residuals(up) - self.residuals(down)) / (2 * JACOBIAN_STEP))
        return np.column_stack(columns)


def standard_errors(jacobian: np.ndarray) -> np.ndarray:
    """1 / the distance of each column from the span of the others: the linearised profile's standard error.

    Infinite for a column inside the span of the others (an exact trade-off: the parameter is not
    identified at all).
    """
    n = jacobian.shape[1]
    out = np.empty(n)
    scale = max(float(np.abs(jacobian).max()), 1e-300)
    for j in range(n):
        others = np.delete(jacobian, j, axis=1)
        column = jacobian[:, j]
        if others.shape[1]:
            coef, *_ = np.linalg.lstsq(others, column, rcond=None)
            column = column - others @ coef
        distance = float(np.linalg.norm(column))
        out[j] = np.inf if distance <= 1e-9 * scale else 1.0 / distance
    return out


def verdict(se: float) -> str:
    if se < PINNED:
        return "pinned"
    return "weakly pinned" if se < UNPINNED else "not pinned"


def _trade_off(free: np.ndarray, column: np.ndarray, names: list[str]) -> str:
    """The free parameters whose joint move mimics ``column`` (its regression on the free columns).

    A probe that moves the residuals exactly as ``+a x + b y`` of free parameters x, y does cannot be
    told apart from them: this names that combination (coefficients in units of each scale).
    """
    coef, *_ = np.linalg.lstsq(free, column, rcond=None)
    fit = free @ coef
    explained = 1.0 - float(np.linalg.norm(column - fit) ** 2) / max(float(np.linalg.norm(column) ** 2), 1e-300)
    terms = [f"{coef[j]:+.2f} {names[j]}" for j in np.argsort(-np.abs(coef))[:4] if abs(coef[j]) >= 0.05]
    return f"{explained:.1%} mimicked by " + " ".join(terms) if terms else "no effect on any target"


def _identification(jacobian: np.ndarray, spec: CalibrationSpec) -> pd.DataFrame:
    """Standard errors: each free parameter given the probes, each probe if it alone were also fitted."""
    n = len(spec.free)
    free = jacobian[:, :n]
    names = [p.name for p in spec.free]
    se_free = standard_errors(free)
    rows = [{"se": se, "trade_off": ""} for se in se_free]
    for j in range(n, jacobian.shape[1]):
        se = standard_errors(np.column_stack([free, jacobian[:, j]]))[-1]
        rows.append({"se": se, "trade_off": _trade_off(free, jacobian[:, j], names)})
    return pd.DataFrame(rows)


def _target_table(targets: list[Figure], values: np.ndarray, sigmas: list[float], spec: CalibrationSpec) -> pd.DataFrame:
    rows = []
    for figure, value, sigma in zip(targets, values, sigmas):
        low = figure.p5 if figure.p5 is not None else figure.median * math.exp(-Z90 * sigma)
        high = figure.p95 if figure.p95 is not None else figure.median * math.exp(Z90 * sigma)
        rows.append({"figure": figure.label, "unit": figure.unit, "p5": low, "median": figure.median, "p95": high,
                     "model": value, "residual": (math.log(value) - math.log(figure.median)) / sigma
                     if value and value > 0 else math.nan,
                     "within_range": bool(low <= value <= high) if np.isfinite(value) else False,
                     "range": "published" if figure.p5 is not None else f"point +-{Z90 * sigma:.2f} in log",
                     "source": spec.figures.citation(figure)})
    return pd.DataFrame(rows)


def calibrate(spec: CalibrationSpec, max_evaluations: int = 4000) -> CalibrationFit:
    """Fit ``spec``'s free parameters to its target figures and say which parameters the data pin."""
    dt = float(spec.data.get("dt", 0.1))
    targets, unmeasured = _measurable(spec, spec.data, set(spec.targets))
    if not targets:
        raise ValueError(f"{spec.source}: no target figure can be measured in {spec.scenario_source}")
    others = sorted(set(MEASURES) - set(spec.targets))
    compared, _ = _measurable(spec, spec.data, set(others)) if others else ([], [])
    horizon = _horizon(spec, targets + compared, dt)
    sigmas = [log_sigma(f, spec.point_sigma) for f in targets]
    base = {p: spec.value(p) for p in spec.free + spec.probe}
    problem = _Problem(spec, spec.free, [Target(f, s) for f, s in zip(targets, sigmas)], base, horizon)
    x0 = np.array([p.to_internal(base[p]) for p in spec.free])
    solution = least_squares(problem.residuals, x0, method="trf", x_scale=1.0, xtol=1e-12, ftol=1e-12,
                             gtol=1e-12, max_nfev=max_evaluations)
    fitted = {p: p.to_value(float(v)) for p, v in zip(spec.free, solution.x)}
    data = spec.with_values({**base, **fitted})

    everything = spec.free + spec.probe
    values_all = {**base, **fitted}
    full = _Problem(spec, everything, problem.targets, values_all, horizon)
    jacobian = full.jacobian(np.array([p.to_internal(values_all[p]) for p in everything]))
    identified = _identification(jacobian, spec)
    parameters = pd.DataFrame({
        "parameter": [p.name for p in everything],
        "role": ["free"] * len(spec.free) + ["probe"] * len(spec.probe),
        "scale": [p.scale for p in everything],
        "start": [base[p] for p in everything],
        "value": [values_all[p] for p in everything],
        "se": identified["se"],
        "verdict": [verdict(se) for se in identified["se"]],
        "trade_off": identified["trade_off"],
    })
    result = _play(spec, data, horizon)
    values = np.array([np.nan if v is None else v for v in _model_values(spec, result, targets)])
    table = _target_table(targets, values, sigmas, spec)
    compare_values = np.array([np.nan if v is None else v for v in _model_values(spec, result, compared)])
    comparisons = _target_table(compared, compare_values, [log_sigma(f, spec.point_sigma) for f in compared], spec)
    context = [f for f in spec.figures.figures if f.figure not in MEASURES] + unmeasured
    if context:
        comparisons = pd.concat([comparisons, pd.DataFrame(
            [{"figure": f.label, "unit": f.unit, "p5": f.p5, "median": f.median, "p95": f.p95, "model": math.nan,
              "residual": math.nan, "within_range": False, "range": "no counterpart in this run",
              "source": spec.figures.citation(f)} for f in context])], ignore_index=True)
    return CalibrationFit(spec, table, comparisons, parameters, jacobian, data,
                          float(solution.cost), problem.calls + full.calls, bool(solution.success),
                          str(solution.message))
