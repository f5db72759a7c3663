"""Write the benchmark results as ``docs/benchmarks.json`` (everything) and ``docs/benchmarks.md`` (tables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0.0:
            return "0"
        return f"{value:.3g}" if abs(value) < 1e-3 or abs(value) >= 1e5 else f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


def table(rows: Sequence[dict], columns: Sequence[tuple[str, str]]) -> list[str]:
    """A Markdown table of ``rows`` with (key, header) ``columns``."""
    lines = ["| " + " | ".join(h for _, h in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(row.get(k, "")) for k, _ in columns) + " |" for row in rows]
    return lines


def _ms(rows: Sequence[dict], *keys: str) -> list[dict]:
    """Copies of ``rows`` with the second-valued ``keys`` converted to milliseconds."""
    return [{**r, **{k: r[k] * 1e3 for k in keys if k in r}} for r in rows]


def _targets(results: Sequence[dict]) -> list[str]:
    rows = [t for r in results for t in r.get("targets", [])]
    return table([{**t, "met": "met" if t["met"] else "NOT met"} for t in rows],
                 [("target", "Target"), ("measured", "Measured"), ("met", "Status")])


def _control(r: dict) -> list[str]:
    ref = r["reference"]
    out = ["## 1. Optimal control: the seed paper's base case", "",
           f"Reference NPV {ref['npv']:.6f} (labrace's sweep on {ref['intervals']} intervals; it differs from "
           f"the half-as-fine grid by {ref['grid_halving_rel']:.1e} and from solve_bvp at tol 1e-9 by "
           f"{ref['solve_bvp_rel']:.1e}, relative). Every method starts cold from a generic guess. "
           "solve_bvp solves the Pontryagin system with the eq.-7 control smoothed at alpha = 1 "
           "(see `benchmarks/bvp.py`); the Euler sweep is the textbook first-order scheme on the paper's "
           "101-point grid and finer ones (`benchmarks/euler_sweep.py`).", ""]
    out += table(_ms(r["rows"], "median_s"), [("method", "Method"), ("setting", "Resolution"),
                                              ("median_s", "Median ms"), ("repeats", "Repeats"),
                                              ("rel_error", "Relative NPV error"), ("converged", "Converged"),
                                              ("sweeps", "Sweeps")])
    out += ["", "Cheapest setting reaching a relative error of 1e-6:", ""]
    for method, row in r["time_to_target"].items():
        out.append(f"- {method}: " + (f"{row['setting']}, {row['median_s'] * 1e3:.2f} ms (error {row['rel_error']:.1e})"
                                      if row else "not reached on the ladder measured"))
    out += ["", "Re-plan of one lab at step 11 of the congested Pontryagin duopoly (numerical Hamiltonian "
            "maximiser), warm-started from its plan of step 6 and from a cold start:", ""]
    out += table(_ms(r["replans"], "warm_s", "cold_s"), [("compute_noise", "Compute noise"), ("grid_points", "Grid points"),
                                ("warm_s", "Warm ms"), ("warm_iterations", "Warm sweeps"), ("cold_s", "Cold ms"),
                                ("cold_iterations", "Cold sweeps"),
                                ("npv_warm_vs_cold_rel", "NPV warm vs cold (relative)")])
    out.append("")
    return out


def _model_step(r: dict) -> list[str]:
    out = ["## 2. Model step: labrace against the numpy limit and a naive Mesa model", "",
           "A whole run with data collection on; non-planning policies (constant, Erdil parity, catch-up), "
           "power law, congested market. Medians of interleaved runs; ratios are to the numpy loop of the "
           "same run. The last column is the largest relative difference between labrace's records and "
           "the numpy loop's (independent implementations of the same equations). "
           + ("Garbage is collected before every sample and glibc's allocator keeps freed memory for "
              "reuse (`benchmarks.timing.reuse_freed_memory`), so no sample pays page faults for fresh "
              "mappings, whose number depends on the heap's history rather than on the code timed."
              if r.get("steady_heap") else "The C library is not glibc: the allocator ran with its defaults."), ""]
    out += table(_ms(r["rows"], "numpy_s", "labrace_s", "naive_mesa_s"),
                 [("labs", "Labs"), ("steps", "Steps"), ("numpy_s", "numpy ms"), ("labrace_s", "labrace ms"),
                  ("naive_mesa_s", "naive Mesa ms"), ("labrace_ratio", "labrace / numpy"),
                  ("naive_ratio", "naive / numpy"), ("labrace_per_lab_step_us", "labrace µs per lab-step"),
                  ("max_rel_difference", "max rel. diff.")])
    return out + [""]


def _planning(r: dict) -> list[str]:
    out = ["## 3. Planning cost: a Pontryagin duopoly re-planning every k steps", "",
           "Congested market (delta0 = 1), so each solve uses the numerical Hamiltonian maximiser. "
           "Sweeps is the total number of forward-backward iterations over all solves.", ""]
    out += table(r["rows"], [("replan_every", "k"), ("steps", "Steps"), ("per_step_ms", "ms per step"),
                             ("solves", "Solves"), ("sweeps", "Sweeps"), ("all_converged", "All converged"),
                             ("npv", "NPV per lab")])
    if "nash" in r:
        n = r["nash"]
        out += ["", f"Symmetric duopoly open-loop Nash (delta0 = 2, lambda = 4, 1,000 intervals): "
                f"{n['nash_s'] * 1e3:.0f} ms in {n['iterations']} iterations (largest relative best-response "
                f"gap {n['max_relative_gap']:.1e}); one cold single-lab solve of the same grid: "
                f"{n['single_s'] * 1e3:.1f} ms."]
    if "replan_growth" in r:
        g = r["replan_growth"]
        out += ["", f"Time per re-plan: {g['small_ms']:.2f} ms with {g['small']} planning labs, "
                f"{g['big_ms']:.2f} ms with {g['big']}."]
    return out + [""]


def _tournament(r: dict) -> list[str]:
    out = ["## 4. Tournament throughput", "", r.get("description", ""), ""]
    out += table(r["rows"], [("runner", "Runner"), ("workers", "Workers"), ("runs", "Runs"),
                             ("median_s", "Median s"), ("runs_per_s", "Runs per s")])
    return out + [""]


def _study(r: dict) -> list[str]:
    out = ["## 5. A realistic study", "", r.get("description", ""), ""]
    out += table(r["rows"], [("workers", "Workers"), ("batch", "Batch"), ("runs", "Runs"), ("seconds", "Seconds"),
                             ("runs_per_s", "Runs per s"),
                             ("runs_with_non_converged_plan", "Runs with a non-converged plan"),
                             ("plans", "Plans"), ("worst_plan_residual", "Worst plan residual"),
                             ("identical_to_first", "Identical to the first pass")])
    return out + [""]


def _montecarlo(r: dict) -> list[str]:
    out = ["## 6. Uncertainty studies: Monte Carlo and Sobol indices", "", r.get("description", ""), ""]
    out += table(r["rows"], [("workers", "Workers"), ("samples", "Samples"), ("cpu_s", "CPU s"),
                             ("cpu_ms_per_sample", "CPU ms per sample"), ("wall_s", "Wall s"),
                             ("samples_per_s", "Samples per s"), ("identical_to_first", "Identical")])
    out += ["", "Sobol indices of the Ishigami function (a = 7, b = 0.1) from the Saltelli design, seed 0:", ""]
    out += table(r["sobol"], [("base", "Base n"), ("evaluations", "Evaluations"),
                              *[(f"S1_{i}", f"S1 x{i}") for i in (1, 2, 3)], *[(f"ST_{i}", f"ST x{i}") for i in (1, 2, 3)],
                              ("max_error", "Largest error")])
    return out + [""]


def _feedback(r: dict) -> list[str]:
    out = ["## 7. Rational rivals: the Markov-perfect solve and receding-horizon Nash", "",
           r.get("description", ""), ""]
    whole = [{**row, "npv": round(row["npv"])} for row in r["mpe"]]
    agents = [{**row, "npv": round(row["npv"])} for row in r["agents"]]
    out += table(whole, [("nodes", "Nodes per lab"), ("steps", "Steps"), ("cpu_s", "CPU s"), ("npv", "NPV (lab 0)"),
                            ("relative_error", "Error vs extrapolated"), ("rounds", "Rounds"),
                            ("converged", "Converged"), ("worst_residual", "Worst residual")])
    out += [""] + table(agents, [("forecast", "Forecast"), ("dt", "dt"), ("steps", "Steps"),
                                      ("cpu_s", "CPU s per run"), ("plans", "Plans"),
                                      ("plans_not_converged", "Not converged"), ("npv", "NPV (lab 0)")])
    return out + [""]


SECTIONS = {"optimal_control": _control, "model_step": _model_step, "planning": _planning,
            "tournament": _tournament, "study": _study, "montecarlo": _montecarlo,
            "feedback": _feedback}


def write(results: Sequence[dict], machine: dict, quick: bool, out_dir: Path) -> tuple[Path, Path]:
    """Write both files into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "benchmarks.json", out_dir / "benchmarks.md"
    json_path.write_text(json.dumps({"machine": machine, "quick": quick, "results": list(results)}, indent=2,
                                    default=float) + "\n", encoding="utf-8")
    lines = ["# labrace benchmarks", "",
             "Generated by `python -m benchmarks`" + (" --quick (tiny sizes: a smoke test, not a measurement)"
                                                     if quick else "") + "; all numbers come from one run "
             "on the machine below, and every ratio compares figures from that same run. Single-process "
             "timings are the CPU time of the benchmark process (other load on a shared machine does not "
             "inflate them); tournament throughput is wall-clock.", "",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()), "", "## Targets", ""]
    lines += _targets(results) + [""]
    for result in results:
        lines += SECTIONS[result["name"]](result)
    md_path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return json_path, md_path
