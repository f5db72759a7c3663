"""``labrace reproduce equilibria``: the shipped duopolies under every notion of a rational lab, side by side.

For each duopoly (the shipped ``duopoly``, the same with contest exponent lambda = 4, and the shipped
``asymmetric_duopoly``) it computes

* the **open-loop Nash** equilibrium (:func:`policies.nash.nash_from_config`): labs commit to paths;
* the **Markov-perfect** equilibrium (:mod:`policies.feedback.race`) on two grids, the coarser one giving
  the refinement error, and its path from the start;
* **receding-horizon agents**: ``pontryagin`` labs with each forecast (``constant_alpha``, ``trend``,
  ``nash``) run in the model, with the committed ``nash`` policy and the ``feedback`` policy run the same
  way so the model-booked NPVs compare like with like;
* each **lab alone** in the same market (its single-lab optimum).

It writes ``summary.json``, ``paths.csv`` (alpha and capability of every lab and kind over time), one
figure per duopoly and ``report.md``. ``quick`` keeps the lambda = 4 duopoly only, on coarse grids and a
step of 0.1 (for the test suite).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from labrace.reproductions.equilibria_report import figure, write_report
from labrace.simulation.model import RaceModel
from labrace.version import labrace_version
from market.config import RaceConfig
from policies.base import Observation
from policies.feedback.race import RaceEquilibrium, RaceGame, solve_race_equilibrium
from policies.forecast import FORECASTS, own_problem
from policies.nash import nash_from_config
from policies.optimal_control import solve_pontryagin
from policies.registry import resolve_policy
from policies.revenue import RivalPath
from scenarios.loader import load_scenario

SWITCH = 1e-6  # a lab has switched once alpha < 1 - SWITCH
SAW_TOOTH_WINDOW = (5.5, 9.0)  # where the naive forecasts' re-plans show as sign changes of the step in alpha


@dataclasses.dataclass(frozen=True)
class Settings:
    """How finely each kind is solved: the full report, or the test suite's quick one."""

    dt: float
    nash_grid: int
    mpe_grids: tuple[tuple[int, int], ...]  # (nodes, steps) from coarse to fine; the last is reported
    feedback: dict[str, int]

    @classmethod
    def of(cls, quick: bool) -> "Settings":
        if quick:
            return cls(dt=0.1, nash_grid=50, mpe_grids=((9, 20), (11, 25)), feedback={"nodes": 9,
                                                                                    "steps_per_year": 3})
        return cls(dt=0.02, nash_grid=100, mpe_grids=((13, 25), (17, 50), (25, 100)),
                   feedback={"nodes": 13, "steps_per_year": 5})


def duopolies(quick: bool) -> dict[str, RaceConfig]:
    duopoly = load_scenario("duopoly")
    lambda4 = dataclasses.replace(duopoly, market=duopoly.market.replace(contest=4.0), name="duopoly_lambda4")
    if quick:
        return {"duopoly_lambda4": lambda4}
    return {"duopoly": duopoly, "duopoly_lambda4": lambda4, "asymmetric_duopoly": load_scenario("asymmetric_duopoly")}


def with_policy(config: RaceConfig, name: str, params: dict[str, Any], dt: float) -> RaceConfig:
    spec = resolve_policy(name, params)
    return dataclasses.replace(config, dt=dt, labs=tuple(dataclasses.replace(lab, policy=spec) for lab in config.labs))


def _switch(t: np.ndarray, alpha: np.ndarray) -> float:
    below = np.flatnonzero(alpha < 1.0 - SWITCH)
    return float(t[below[0]]) if below.size else float("nan")


def _sign_changes(t: np.ndarray, alpha: np.ndarray) -> int:
    lo, hi = SAW_TOOTH_WINDOW
    step = np.diff(alpha)[(t[1:] >= lo) & (t[1:] <= hi)]
    signs = np.sign(step[step != 0])
    return int(np.sum(signs[1:] != signs[:-1]))


def _entry(kind: str, lab: str, t: np.ndarray, alpha: np.ndarray, capability: np.ndarray, npv: float,
           cpu: float, extra: dict[str, Any] | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """One lab's outcome under one kind: alpha is played at times ``t`` (step midpoints or grid times)."""
    row = {"kind": kind, "lab": lab, "switch_time": _switch(t, alpha), "alpha_at_8": float(np.interp(8.0, t, alpha)),
           "npv": float(npv), "final_capability": float(capability[-1]), "sign_changes": _sign_changes(t, alpha),
           "cpu_seconds": cpu, **(extra or {})}
    return row, pd.DataFrame({"kind": kind, "lab": lab, "t": t, "alpha": alpha, "capability": capability[:t.size]})


def _timed(compute: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    value = compute()
    return value, time.process_time() - start


def solver_kinds(config: RaceConfig, settings: Settings) -> tuple[list[dict], list[pd.DataFrame], dict[str, Any]]:
    """Open-loop Nash, Markov-perfect and lab-alone outcomes from the solvers (no model step)."""
    names = [lab.name for lab in config.labs]
    obs = Observation.at_start(config)
    rows, paths = [], []
    eq, cpu = _timed(lambda: nash_from_config(config, grid=settings.nash_grid))
    for i, name in enumerate(names):
        row, path = _entry("open-loop Nash", name, eq.t, eq.alpha[i], eq.capability[i], eq.npv[i], cpu,
                           {"residual": eq.change, "iterations": eq.iterations})
        rows.append(row)
        paths.append(path)
    intervals = int(np.ceil(config.horizon * settings.nash_grid))
    for i, name in enumerate(names):
        alone, cpu = _timed(lambda: solve_pontryagin(own_problem(obs, i, RivalPath.none()), intervals, tol=1e-10))
        row, path = _entry("lab alone", name, alone.t, alone.alpha, alone.capability, alone.npv, cpu)
        rows.append(row)
        paths.append(path)
    levels: list[dict[str, Any]] = []
    for nodes, steps in settings.mpe_grids:
        mpe, cpu = _timed(lambda: solve_race_equilibrium(RaceGame(obs, steps), nodes))
        states, alpha, npv = mpe.path()
        levels.append({"nodes": nodes, "steps": steps, "cpu_seconds": cpu, "value_at_start": mpe.initial_values().tolist(),
                       "path_npv": npv[-1].tolist(), "converged": mpe.converged, "rounds": mpe.iterations,
                       "worst_residual": mpe.change, "worst_gap": float(np.max(mpe.gap))})
    capability = mpe.game.capability(states)
    midpoints = 0.5 * (mpe.t[1:] + mpe.t[:-1])
    refinement = [abs(b["path_npv"][0] / a["path_npv"][0] - 1.0) for a, b in zip(levels, levels[1:])]
    for i, name in enumerate(names):
        row, path = _entry("Markov-perfect", name, midpoints, alpha[:, i], capability[1:, i], npv[-1, i],
                           levels[-1]["cpu_seconds"], {"residual": mpe.change, "iterations": mpe.iterations,
                                                       "refinement_error": refinement[-1]})
        row["switch_time"] = _switch(mpe.t[:-1], alpha[:, i])  # the start of the first step not flat out
        rows.append(row)
        paths.append(path)
    return rows, paths, {"levels": levels, "strategic_response": strategic_response(mpe)}


def strategic_response(mpe: RaceEquilibrium, t: float = 7.0) -> dict[str, float]:
    """How lab 1's equilibrium share at time ``t`` moves with lab 0's state on the path (finite
    difference of the strategy): the effect an open-loop lab ignores."""
    states, _, _ = mpe.path()
    k = mpe.step_of(t)
    x = states[k]
    h = 1e-3 * x[0]
    up, down = x.copy(), x.copy()
    up[0] += h
    down[0] -= h
    shares = mpe.actions(k, np.stack([up, down]))
    return {"t": float(mpe.t[k]), "d_alpha1_d_x0": float((shares[0, 1] - shares[1, 1]) / (2 * h)),
            "d_alpha0_d_x0": float((shares[0, 0] - shares[1, 0]) / (2 * h)), "x0": float(x[0])}


def model_kinds(config: RaceConfig, settings: Settings) -> tuple[list[dict], list[pd.DataFrame]]:
    """Receding-horizon agents with each forecast, and the nash and feedback policies, run in the model."""
    runs = {f"pontryagin ({forecast})": ("pontryagin", {"forecast": forecast}) for forecast in FORECASTS}
    runs["nash policy (committed)"] = ("nash", {"grid": settings.nash_grid})
    runs["feedback policy"] = ("feedback", dict(settings.feedback))
    rows, paths = [], []
    for kind, (policy, params) in runs.items():
        model, cpu = _timed(lambda: RaceModel(with_policy(config, policy, params, settings.dt)).run())
        frame = model.labs_frame()
        for i, lab in enumerate(config.labs):
            own = frame[frame.lab == lab.name]
            row, path = _entry(kind, lab.name, own.t.to_numpy() + 0.5 * settings.dt, own.alpha.to_numpy(),
                               own.capability.to_numpy(), model.state.npv[i], cpu,
                               {"plans_not_converged": model.policy_groups[0][0].diagnostics().get(
                                   "plans_not_converged", 0)})
            row["switch_time"] = _switch(own.t.to_numpy(), own.alpha.to_numpy())  # the step's start
            rows.append(row)
            paths.append(path)
    return rows, paths


def reproduce_equilibria(out: Path, quick: bool = False,
                         progress: Callable[[str], None] = lambda message: None) -> dict[str, Any]:
    """Run every kind on every duopoly into directory ``out`` and return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    settings = Settings.of(quick)
    summary: dict[str, Any] = {"labrace_version": labrace_version(), "quick": quick, "dt": settings.dt,
                               "duopolies": {}}
    frames = []
    for name, config in duopolies(quick).items():
        progress(f"{name}: solvers")
        rows, paths, mpe = solver_kinds(config, settings)
        progress(f"{name}: agents in the model")
        model_rows, model_paths = model_kinds(config, settings)
        table = pd.DataFrame(rows + model_rows)
        path_frame = pd.concat(paths + model_paths).assign(duopoly=name)
        frames.append(path_frame)
        summary["duopolies"][name] = {"market": config.market.to_dict(), "outcomes": table.to_dict("records"),
                                      "markov_perfect": mpe}
        figure(name, path_frame, out / f"fig_{name}.png")
    pd.concat(frames).to_csv(out / "paths.csv", index=False)
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    write_report(summary, out / "report.md")
    lam4 = pd.DataFrame(summary["duopolies"]["duopoly_lambda4"]["outcomes"])
    first = lam4[lam4.lab == lam4.lab.iloc[0]].set_index("kind")
    summary["headline"] = ("delta0 = 2, lambda = 4 switch times: " + ", ".join(
        f"{kind} {first.switch_time[kind]:.2f}" for kind in ("open-loop Nash", "Markov-perfect", "lab alone",
                                                            "pontryagin (nash)", "pontryagin (constant_alpha)")))
    return summary
