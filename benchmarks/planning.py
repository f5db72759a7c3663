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
from labs.spec import LabSpec, PolicySpec
from market.params import MarketParams
from policies.base import Observation
from policies.forecast import own_problem
from policies.nash import nash_from_config
from policies.revenue import RivalPath
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
    growth = replan_growth(quick)
    nash = nash_timing(quick)
    targets = [{"target": f"time per re-plan grows <= {REPLAN_GROWTH_LIMIT:g}x from N = {growth['small']} "
                          f"to N = {growth['big']} planning labs",
                "measured": f"{growth['ratio']:.2f}x ({growth['small_ms']:.2f} ms vs {growth['big_ms']:.2f} ms)",
                "met": growth["ratio"] <= REPLAN_GROWTH_LIMIT},
               {"target": "symmetric duopoly open-loop Nash (delta0 = 2, lambda = 4) <= 10x one single-lab solve",
                "measured": f"{nash['ratio']:.1f}x ({nash['nash_s'] * 1e3:.0f} ms, {nash['iterations']} "
                            f"iterations, vs {nash['single_s'] * 1e3:.1f} ms)",
                "met": nash["ratio"] <= 10.0 and nash["converged"]}]
    return {"name": "planning", "rows": rows, "targets": targets, "replan_growth": growth, "nash": nash}


REPLAN_GROWTH_LIMIT = 2.0


def _oligopoly(n: int, horizon: float) -> RaceConfig:
    """``n`` Pontryagin labs with slightly different compute in a congested market."""
    labs = tuple(LabSpec.build(f"lab{i:02d}", compute0=90.0 + 20.0 * i / max(1, n - 1)) for i in range(n))
    return RaceConfig(labs, market=MarketParams.build(delta0=2.0 / n), horizon=horizon, dt=0.1,
                      name=f"pontryagin-{n}")


def replan_growth(quick: bool) -> dict:
    """CPU time per re-plan (one lab's solve against its forecast rivals) in runs of 2 and of 50 (quick:
    10) planning labs: the forecast aggregates rivals, so a re-plan may grow with N only through that
    aggregation, which is small beside the solve. A ratio above the limit flags super-linear cost."""
    big_n = 10 if quick else 50
    horizon = 1.0 if quick else 3.0
    out = {}
    for n in (2, big_n):
        config = _oligopoly(n, horizon)
        timing = measure(lambda: _counted_run(config), repeats=1, warmup=0)
        _, solves = timing.value
        out[n] = timing.median / max(1, len(solves))
    return {"small": 2, "big": big_n, "small_ms": out[2] * 1e3, "big_ms": out[big_n] * 1e3,
            "ratio": out[big_n] / out[2]}


def nash_timing(quick: bool) -> dict:
    """The symmetric duopoly's open-loop equilibrium (delta0 = 2, lambda = 4, 100 intervals per year)
    against one cold single-lab solve on the same grid against the equilibrium rival."""
    labs = (LabSpec.build("a"), LabSpec.build("b"))
    config = RaceConfig(labs, market=MarketParams.build(delta0=2.0, contest=4.0), horizon=10.0, dt=0.1)
    repeats = 1 if quick else 3
    nash = measure(lambda: nash_from_config(config, grid=100), repeats=repeats)
    result = nash.value
    obs = Observation.at_start(config)
    problem = own_problem(obs, 0, RivalPath.of_labs(result.t, result.capability[1:], result.capacity[1:],
                                                    2.0, 4.0))
    single = measure(lambda: solve_pontryagin(problem, result.t.size - 1, tol=1e-9), repeats=repeats)
    return {"nash_s": nash.median, "single_s": single.median, "ratio": nash.median / single.median,
            "iterations": result.iterations, "converged": result.converged,
            "max_relative_gap": float(abs(result.relative_gap).max())}
