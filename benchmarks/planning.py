"""Benchmark 3: what planning costs per step — a Pontryagin duopoly re-planning every k steps.

The duopoly of :func:`benchmarks.control.duopoly_config` (congested market, so the numerical Hamiltonian
maximiser is used) runs to the horizon for several re-plan intervals k; the table reports the cost per
step, the number of solves and the sweeps they took, and each lab's NPV (planning more often should not
change the outcome much, which is what makes a larger k an acceptable saving).
"""

from __future__ import annotations

import dataclasses

from benchmarks.control import duopoly_config
from benchmarks.timing import measure
from labs.spec import PolicySpec
from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from policies.optimal_control import ControlResult, solve_pontryagin
import policies.pontryagin as pontryagin_module


def with_replan(config: RaceConfig, k: int) -> RaceConfig:
    labs = tuple(dataclasses.replace(lab, policy=PolicySpec(lab.policy.name, tuple(
        sorted({**lab.policy.kwargs, "replan_every": k}.items())))) for lab in config.labs)
    return dataclasses.replace(config, labs=labs)


def _counted_run(config: RaceConfig) -> tuple[RaceModel, list[ControlResult]]:
    """Run the model, recording every solve the Pontryagin policy makes."""
    solves: list[ControlResult] = []

    def counting(*args, **kwargs) -> ControlResult:
        result = solve_pontryagin(*args, **kwargs)
        solves.append(result)
        return result

    pontryagin_module.solve_pontryagin = counting
    try:
        model = RaceModel(config).run()
    finally:
        pontryagin_module.solve_pontryagin = solve_pontryagin
    return model, solves


def run(quick: bool) -> dict:
    base = duopoly_config()
    if quick:
        base = dataclasses.replace(base, horizon=1.0)
    rows = []
    for k in ((5,) if quick else (1, 5, 10, 25)):
        config = with_replan(base, k)
        timing = measure(lambda: RaceModel(config).run(), repeats=1 if quick or k == 1 else 3, warmup=0)
        model, solves = _counted_run(config)
        rows.append({"replan_every": k, "steps": config.steps, "median_s": timing.median,
                     "per_step_ms": timing.median / config.steps * 1e3, "solves": len(solves),
                     "sweeps": sum(s.iterations for s in solves),
                     "all_converged": all(s.converged for s in solves),
                     "npv": [float(v) for v in model.state.npv]})
    return {"name": "planning", "rows": rows, "targets": []}
