"""Benchmark 7: rational rivals — the Markov-perfect solve of the 2-lab race and receding-horizon Nash agents.

The duopoly with business stealing (two identical labs, delta0 = 2, lambda = 4). The Markov-perfect
equilibrium (:mod:`policies.feedback.race`) is solved on grids refined together in nodes per lab and
time steps; each level's NPV (of the realised equilibrium path) is compared with the Richardson extrapolation
of the two finest (the error is second order in the step), which is the accuracy a grid buys for its
CPU time. The receding-horizon Nash agents (``pontryagin``
with ``forecast = "nash"``) are timed over whole runs against the same agents with the naive
``constant_alpha`` forecast, which is what entering them in a tournament costs.
"""

from __future__ import annotations

import dataclasses

from benchmarks.timing import measure
from labrace.simulation.model import RaceModel
from labs.spec import LabSpec
from market.config import RaceConfig
from market.params import MarketParams
from policies.base import Observation
from policies.feedback.race import RaceGame, solve_race_equilibrium

ACCURACY = 1e-3  # relative NPV error the target asks for
SECONDS = 5.0  # CPU seconds the target allows for the 2-lab solve at that accuracy
MARKET = MarketParams.build(delta0=2.0, contest=4.0)


def duopoly(policy: str = "constant", horizon: float = 10.0, dt: float = 0.1, **params) -> RaceConfig:
    labs = tuple(LabSpec.build(f"lab{i}", policy=policy, policy_params=params) for i in range(2))
    return RaceConfig(labs=labs, market=MARKET, horizon=horizon, dt=dt)


def mpe_levels(quick: bool) -> list[dict]:
    obs = Observation.at_start(duopoly(horizon=2.0 if quick else 10.0))
    grids = ((7, 8), (9, 16)) if quick else ((9, 25), (13, 25), (17, 50), (25, 100), (33, 200))
    rows = []
    for nodes, steps in grids:
        timing = measure(lambda: solve_race_equilibrium(RaceGame(obs, steps), nodes), repeats=1, warmup=0)
        eq = timing.value
        rows.append({"nodes": nodes, "steps": steps, "grid_points": nodes ** 2 * steps, "cpu_s": timing.median,
                     "npv": float(eq.path()[2][-1, 0]), "value_at_start": float(eq.initial_values()[0]),
                     "rounds": eq.iterations, "converged": eq.converged, "worst_residual": eq.change})
    # The last two levels double the steps (and refine the nodes); the error is second order in the step,
    # so Richardson extrapolation of the pair is the reference.
    fine, coarse = rows[-1]["npv"], rows[-2]["npv"]
    reference = fine + (fine - coarse) / 3.0
    for row in rows:
        row["relative_error"] = abs(row["npv"] / reference - 1.0)
    return rows


def receding_nash(quick: bool) -> list[dict]:
    rows = []
    for dt in ((0.1,) if quick else (0.1, 0.01)):
        for forecast in ("constant_alpha", "nash"):
            config = duopoly("pontryagin", horizon=2.0 if quick else 10.0, dt=dt, forecast=forecast)
            timing = measure(lambda: RaceModel(config).run(), repeats=1 if quick else 2, warmup=0)
            model = timing.value
            diagnostics = model.policy_groups[0][0].diagnostics()
            rows.append({"forecast": forecast, "dt": dt, "steps": config.steps, "cpu_s": timing.median,
                         "plans": diagnostics["plans"], "plans_not_converged": diagnostics["plans_not_converged"],
                         "npv": float(model.state.npv[0])})
    return rows


def run(quick: bool) -> dict:
    levels = mpe_levels(quick)
    accurate = [row for row in levels if row["relative_error"] <= ACCURACY]
    first = accurate[0] if accurate else levels[-1]
    agents = receding_nash(quick)
    by = {(r["forecast"], r["dt"]): r for r in agents}
    ratio = by[("nash", 0.1)]["cpu_s"] / by[("constant_alpha", 0.1)]["cpu_s"]
    targets = [{"target": f"2-lab Markov-perfect solve (delta0 = 2, lambda = 4) within {ACCURACY:g} relative NPV "
                          f"(against the extrapolated finest grids) in <= {SECONDS:g} s CPU",
                "measured": f"{first['cpu_s']:.2f} s at {first['nodes']} nodes x {first['steps']} steps "
                            f"(error {first['relative_error']:.1e})",
                "met": bool(accurate) and first["cpu_s"] <= SECONDS and first["converged"]},
               {"target": "receding-horizon Nash run (dt = 0.1) <= 3x the constant_alpha forecast's",
                "measured": f"{ratio:.2f}x ({by[('nash', 0.1)]['cpu_s']:.2f} s vs "
                            f"{by[('constant_alpha', 0.1)]['cpu_s']:.2f} s)",
                "met": ratio <= 3.0}]
    return {"name": "feedback", "description": __doc__.split("\n\n")[1].replace("\n", " "), "mpe": levels,
            "agents": agents, "targets": targets}
