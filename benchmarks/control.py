"""Benchmark 1: the optimal-control solver against scipy's solve_bvp and a plain Euler sweep.

Every method solves the seed paper's base case from a cold start on a ladder of resolutions (labrace:
grids at a tight tolerance, then looser tolerances on the cheap grids; solve_bvp: tolerances); each rung
reports its median time and its relative NPV error against a grid-converged reference computed here
(labrace's sweep on a very fine grid, cross-checked against the next-coarser grid and solve_bvp at a
tight tolerance). "Time to 1e-6" is the cheapest rung whose error is at most 1e-6. A second part times
one warm-started re-plan of one lab in a congested Pontryagin duopoly, the operation a receding-horizon
run repeats: deterministic, and with the realistic study's compute noise (the target's case).
"""

from __future__ import annotations

from typing import Any, Callable

from benchmarks.bvp import solve_base_case_bvp
from benchmarks.euler_sweep import euler_sweep
from benchmarks.timing import measure
from labs.spec import LabSpec
from market.params import MarketParams
from market.config import RaceConfig, ShockParams
from labrace.simulation.model import RaceModel
from policies.base import forget_cold_solves
from policies.optimal_control import solve_pontryagin
from labrace.reproductions.problem import TroynikovCase

BASE_CASE = TroynikovCase()  # the seed paper's base case (model.md §5)

TARGET_ERROR = 1e-6
REPLAN_TARGET_S = 0.010
SPEEDUP_TARGET = 10.0


def _repeats(fn: Callable[[], Any], budget: float, most: int) -> int:
    """As many repeats as fit ``budget`` seconds (at least one, at most ``most``)."""
    first = measure(fn, repeats=1, warmup=0).median
    return max(1, min(most, int(budget / max(first, 1e-6))))


def reference_npv(quick: bool) -> dict[str, float]:
    """The base-case optimum on a fine grid, with its distance to the half-as-fine grid and to solve_bvp."""
    fine, coarse = (4000, 2000) if quick else (64000, 32000)
    problem = BASE_CASE.problem()
    npv = solve_pontryagin(problem, fine, tol=1e-13).npv
    half = solve_pontryagin(problem, coarse, tol=1e-13).npv
    bvp = solve_base_case_bvp(BASE_CASE, tol=1e-9)["npv"]
    return {"npv": npv, "intervals": fine, "grid_halving_rel": abs(half / npv - 1.0),
            "solve_bvp_rel": abs(bvp / npv - 1.0)}


def _ladder(name: str, rungs: list[tuple[str, Callable[[], dict]]], reference: float, quick: bool) -> list[dict]:
    rows = []
    for setting, solve in rungs:
        timing = measure(solve, repeats=_repeats(solve, 0.3 if quick else 3.0, 3 if quick else 9))
        result = timing.value
        row = {"method": name, "setting": setting, "median_s": timing.median, "repeats": timing.repeats,
               "npv": result["npv"], "rel_error": abs(result["npv"] / reference - 1.0),
               "converged": result["converged"]}
        if "sweeps" in result:
            row["sweeps"] = result["sweeps"]
        rows.append(row)
    return rows


GRID_TOL = 1e-10  # the sweep tolerance of the grid ladder, on which the error must fall monotonely


def _labrace_rungs(quick: bool) -> list[tuple[str, Callable[[], dict]]]:
    """The grid ladder at the tight tolerance ``GRID_TOL``, then a tolerance ladder on the cheap grids.

    The tolerance bounds the control's last change; the NPV is stationary at the optimum, so its error
    from stopping early is second order in the control's and a loose tolerance can already reach 1e-6
    (as solve_bvp's ladder varies its tolerance). Each row is measured against the reference all the same.
    """
    problem = BASE_CASE.problem()

    def solver(n: int, tol: float) -> Callable[[], dict]:
        def solve() -> dict:
            result = solve_pontryagin(problem, n, tol=tol)
            return {"npv": result.npv, "converged": result.converged, "sweeps": result.iterations}
        return solve

    sizes = (50, 100) if quick else (25, 50, 60, 80, 100, 200, 400, 800, 1600)
    loose = [(50, 1e-4)] if quick else [(n, tol) for n in (50, 60, 80) for tol in (1e-3, 1e-4, 1e-6)]
    return [_setting(n, tol, solver) for n, tol in [(n, GRID_TOL) for n in sizes] + loose]


def _setting(n: int, tol: float, solver: Callable[[int, float], Callable[[], dict]]
             ) -> tuple[str, Callable[[], dict]]:
    return f"{n} intervals, tol {tol:g}", solver(n, tol)


def _bvp_rungs(quick: bool) -> list[tuple[str, Callable[[], dict]]]:
    def solver(tol: float) -> Callable[[], dict]:
        return lambda: solve_base_case_bvp(BASE_CASE, tol=tol)

    tols = (1e-3, 1e-5) if quick else (1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)
    return [(f"tol {tol:g}", solver(tol)) for tol in tols]


def _euler_rungs(quick: bool) -> list[tuple[str, Callable[[], dict]]]:
    def solver(points: int) -> Callable[[], dict]:
        def solve() -> dict:
            result = euler_sweep(BASE_CASE, points)
            return {"npv": result["npv"], "converged": result["change"] <= 1e-12}
        return solve

    sizes = (101,) if quick else (101, 1001, 10001, 100001, 1000001, 2000001)
    return [(f"{n} points", solver(n)) for n in sizes]


STUDY_NOISE = 0.1  # log-compute volatility per square-root year of the realistic study's scenarios


def duopoly_config(compute_noise: float = 0.0) -> RaceConfig:
    """Two Pontryagin labs (the second with 20% more compute) in a congested market (delta0 = 1), with
    ``compute_noise`` (seed 0)."""
    labs = (LabSpec.build("lab_a"), LabSpec.build("lab_b", compute0=120.0))
    return RaceConfig(labs, market=MarketParams.build(delta0=1.0), shocks=ShockParams(compute_noise=compute_noise),
                      horizon=10.0, dt=0.1, name="pontryagin-duopoly")


def replan_timing(quick: bool, compute_noise: float = 0.0) -> dict[str, float]:
    """One lab's re-plan at step 11 of the duopoly (a re-plan time), warm-started from its plan of step 6,
    and the same re-plan from a cold start.

    Without noise the previous plan foresaw the state exactly and is nearly the new plan's fixed point;
    with compute noise the state has moved off it, as in every re-plan of a noisy study.
    """
    model = RaceModel(duopoly_config(compute_noise))
    for _ in range(11):
        model.step()
    policy = model.policy_groups[0][0]
    obs = model.observe()
    repeats = 1 if quick else 15
    warm = measure(lambda: policy.plan(obs, 0), repeats=repeats)
    previous = policy.plans.pop(0)
    cold = measure(lambda: (forget_cold_solves(), policy.plan(obs, 0))[1], repeats=repeats, warmup=0)
    policy.plans[0] = previous
    return {"compute_noise": compute_noise, "warm_s": warm.median, "warm_iterations": warm.value.iterations,
            "cold_s": cold.median, "cold_iterations": cold.value.iterations, "grid_points": warm.value.grid_points,
            "npv_warm_vs_cold_rel": abs(warm.value.npv / cold.value.npv - 1.0)}


def _time_to_target(rows: list[dict], method: str) -> dict | None:
    hits = [r for r in rows if r["method"] == method and r["rel_error"] <= TARGET_ERROR]
    return min(hits, key=lambda r: r["median_s"]) if hits else None


def run(quick: bool) -> dict:
    reference = reference_npv(quick)
    rows = (_ladder("labrace solve_pontryagin", _labrace_rungs(quick), reference["npv"], quick)
            + _ladder("scipy solve_bvp", _bvp_rungs(quick), reference["npv"], quick)
            + _ladder("Euler sweep", _euler_rungs(quick), reference["npv"], quick))
    replans = [replan_timing(quick), replan_timing(quick, STUDY_NOISE)]
    noisy = replans[1]
    best = {m: _time_to_target(rows, m) for m in ("labrace solve_pontryagin", "scipy solve_bvp", "Euler sweep")}
    ours, bvp = best["labrace solve_pontryagin"], best["scipy solve_bvp"]
    errors = [r["rel_error"] for r in rows if r["method"] == "labrace solve_pontryagin"
              and r["setting"].endswith(f"tol {GRID_TOL:g}")]
    monotone = all(b <= a for a, b in zip(errors, errors[1:]))
    speedup = bvp["median_s"] / ours["median_s"] if ours and bvp else float("nan")
    targets = [
        {"target": f"time to 1e-6 >= {SPEEDUP_TARGET:g}x faster than solve_bvp (cold)",
         "measured": (f"{speedup:.1f}x: labrace {ours['median_s'] * 1e3:.2f} ms vs solve_bvp "
                      f"{bvp['median_s'] * 1e3:.2f} ms" if ours and bvp else "one of the methods did not reach 1e-6"),
         "met": bool(ours and bvp and speedup >= SPEEDUP_TARGET)},
        {"target": f"labrace's NPV error falls monotonely as the grid is refined (tol {GRID_TOL:g})",
         "measured": ", ".join(f"{e:.1e}" for e in errors), "met": monotone},
        {"target": f"warm re-plan of one lab in a Pontryagin duopoly with compute noise {STUDY_NOISE:g} <= 10 ms",
         "measured": f"{noisy['warm_s'] * 1e3:.2f} ms ({noisy['grid_points']} grid points, "
                     f"{noisy['warm_iterations']} sweeps)",
         "met": noisy["warm_s"] <= REPLAN_TARGET_S},
    ]
    return {"name": "optimal_control", "reference": reference, "rows": rows, "time_to_target": best,
            "replans": replans, "targets": targets}
