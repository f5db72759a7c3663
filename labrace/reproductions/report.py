"""``report.md``: the paper's stated results beside labrace's, every difference measured and explained.

The text is generated from the summary the reproduction computed, so each number in the report is the
number in ``summary.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def _pct(x: float) -> str:
    return f"{100.0 * x:+.3f}%" if abs(x) >= 1e-5 else f"{100.0 * x:+.1e}%"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _headline(s: dict[str, Any]) -> str:
    published = s["paper_scheme"]["published"]
    steady = s["steady_state"]
    const = steady["best_constant_alpha"]
    sweeps = s["sweeps"]
    spread = {k: v["mean_alpha_range"][1] - v["mean_alpha_range"][0] for k, v in sweeps.items()}
    widest = max(spread, key=spread.get)
    rows = [
        ["Fig. 1 shape", "ramp-up at α = 1, then a shift to inference",
         f"α = 1 until t = {s['switch_time']:.3f}, then falls to 0 at T", "agrees"],
        ["Base-case NPV", f"{published['reported_npv']:,.2f} (published code, emulated)",
         f"{s['npv']:,.4f}", f"paper overstates by {_pct(published['reported_gap'])}; its control really earns "
         f"{published['exact_npv']:,.2f} ({_pct(published['exact_gap'])})"],
        ["Final capability", f"{published['final_capability']:.4f} (emulated)", f"{s['final_capability']:.4f}",
         "double-discounted costate undervalues training (see below)"],
        ["Steady state, analytical", "0.6 (eq. 11)",
         f"eq. 11 = {steady['eq11_at_stated_rho']['eq11']:.3g} at the stated ρ = {s['case']['rho']:g} (invalid); "
         f"{steady['eq11_at_paper_code_rho']['eq11']:.3g} only at the script's ρ = {steady['paper_code_rho']:g}",
         "the 0.6 comes from ρ = 0.15, not the stated 0.05"],
        ["Steady state, numerical", "0.5",
         f"best constant α over T = {const['horizon']:g}, M(0) = 1: {const['at_paper_code_rho']:.6f} "
         f"(ρ = 0.15), {const['at_stated_rho']:.6f} (ρ = 0.05)",
         f"exactly γε/(1+γε) = {const['formula_m0_to_0']:g} as M(0) → 0, for any T, ρ, g: "
         "not a check of eq. 11"],
        ["Steady state exists if", "ρ > g", f"ρ > (1 + γε) g = {steady['steady_state_exists_if_rho_above']:g}",
         "discounted revenue grows at (1 + γε) g − ρ under a constant share"],
        ["Most important determinant of α", "γ",
         f"{widest} (mean-α spread {spread[widest]:.3f} over its range)",
         "; ".join(f"{k}: {v:.3f}" for k, v in spread.items())],
    ]
    return _table(["result", "paper", "labrace", "difference / reason"], rows)


def _attribution(s: dict[str, Any]) -> str:
    rows = [[name, f"{a['dt']:g}", "yes" if a["double_discount"] else "no", a["iterations"],
             f"{a['reported_npv']:,.2f}", _pct(a["reported_gap"]), f"{a['exact_npv']:,.2f}", _pct(a["exact_gap"]),
             f"{a['final_capability']:.3f}", f"{a['mean_alpha']:.4f}", f"{a['switch_time']:.2f}"]
            for name, a in s["paper_scheme"].items()]
    header = ["scheme", "dt", "ρλ term", "iters", "reported NPV", "gap", "NPV of its control", "gap",
              "final M", "mean α", "switch (α<0.999)"]
    return _table(header, rows)


def _attribution_text(s: dict[str, Any]) -> str:
    a = s["paper_scheme"]
    costate = a["double_discount_dt_0.01"]["exact_gap"] - a["correct_costate_dt_0.01"]["exact_gap"]
    grid = a["correct_costate_dt_0.1"]["exact_gap"]
    reported_grid = a["correct_costate_dt_0.1"]["reported_gap"]
    reported_costate = a["published"]["reported_gap"] - reported_grid
    rho = s["sweeps"]["rho"]
    return (
        f"* **The reported NPV** is too high by {_pct(a['published']['reported_gap'])}. The Euler grid with "
        f"the trapezoid rule alone accounts for {_pct(reported_grid)} (left-point Euler lags capability, but the "
        f"trapezoid rule over-weights the convex, fast-growing revenue); the double-discounted costate moves it "
        f"by {_pct(reported_costate)}.\n"
        f"* **The value of the control** the code prescribes is below the optimum by "
        f"{_pct(a['published']['exact_gap'])}. On a fine, fully converged grid the double discount alone costs "
        f"{_pct(costate)}; the coarse grid alone (correct costate, dt = 0.1) costs {_pct(grid)}. "
        "The loss from the double discount grows with ρ (it multiplies the value of training by "
        "≈ e^{−ρ(s−t)}): see the ρ sweep, where the paper scheme's control loses "
        f"{100 * rho['max_paper_loss']:.2f}% at ρ = {rho['max_paper_loss_at']:.2f}.\n"
        "* With the default relaxation start (α = 0.5) and the 1e-4 stop, the scheme never reaches α = 1 "
        "exactly in the ramp-up, so its switch time is read at α < 0.999.\n")


def _verification(s: dict[str, Any]) -> str:
    v = s["verification"]
    direct = v["direct"]
    grid = v["grid_convergence"]
    rows = [[p, f"{npv:,.4f}", f"{direct['relative_gap_by_pieces'][p]:.3e}"]
            for p, npv in direct["npv_by_pieces"].items()]
    grows = [[n, f"{npv:,.6f}", f"{grid['relative_gap_to_finest'][n]:.2e}"]
             for n, npv in grid["npv_by_intervals"].items()]
    solver = s["solver"]
    return (
        f"Solver: {solver['method']}, {solver['grid_points']} grid points, {solver['iterations']} sweeps, "
        f"last change of α {solver['residual']:.1e}.\n\n"
        "Direct method (best piecewise-constant α on P pieces; gap O(P⁻²)):\n\n"
        + _table(["P", "NPV", "relative gap to Pontryagin"], rows)
        + f"\n\nRichardson extrapolation of P = {direct['richardson_pieces'][0]} and "
        f"{direct['richardson_pieces'][1]}: "
        f"{direct['richardson_npv']:,.4f}, relative difference {direct['richardson_relative_gap']:.1e} from the "
        "Pontryagin NPV.\n\nGrid convergence of the sweep:\n\n"
        + _table(["intervals", "NPV", "relative gap to finest"], grows)
        + f"\n\nEq. 7 against a numerical maximisation of H on the same grid: largest difference in α "
        f"{v['hamiltonian_maximisers']['max_alpha_difference']:.1e}, NPV difference "
        f"{v['hamiltonian_maximisers']['npv_relative_difference']:.1e} (relative).\n\n"
        "The agent-based model (`RaceModel`, one lab with the `pontryagin` policy, revenue booked at the "
        "start of each step) approaches the optimum at first order in the step:\n\n"
        + _table(["dt", "model NPV", "relative gap", "final capability"],
                 [[dt, f"{m['npv']:,.2f}", f"{m['relative_gap']:.2e}", f"{m['final_capability']:.4f}"]
                  for dt, m in v["model_convergence"].items()]))


def _steady(s: dict[str, Any], balanced: pd.DataFrame) -> str:
    st = s["steady_state"]
    outside = st["long_horizon_outside_region"]
    rows = [[r.epsilon, r.gamma, r.rho, r.growth, f"{r.numerical_mid_alpha:.6f}", f"{r.balanced_growth:.6f}",
             f"{r.eq11:.4f}" + ("" if r.eq11_valid else " (invalid)"), f"{r.best_constant_m0_to_0:.4f}"]
            for r in balanced.itertuples()]
    alpha_at = ", ".join(f"α({t}) = {a:.4f}" for t, a in outside["alpha_at"].items())
    return (
        "On a balanced-growth path (α constant, M growing at εg, current-value costate at (1 + ε(γ−1))g) "
        "the costate equation gives\n\n    α_bgp = γ ε² g / (ρ − g (1 + ε(γ − 1) − γ ε²)),  valid for "
        "g > 0 and ρ > (1 + γε) g.\n\nIt is checked against the optimal α at the middle of a T = 300 horizon "
        "(forward–backward sweep, 100 intervals per year):\n\n"
        + _table(["ε", "γ", "ρ", "g", "numerical α(T/2)", "α_bgp", "eq. 11", "γε/(1+γε)"], rows)
        + f"\n\nLargest |numerical − α_bgp|: {st['balanced_growth_max_error']:.1e} (what remains is the "
        "transient of M(0), which decays only at rate εg); largest |numerical − eq. 11| where eq. 11 is valid: "
        f"{st['eq11_max_error_where_valid']:.3f}. Eq. 11 is therefore not the steady state even inside its "
        "own region; the `steady_state` policy offers `variant = \"balanced_growth\"` with this region and "
        "falls back outside it. With γ < 1 the optimum still trains a positive share (the paper says it "
        "would train forever).\n\n"
        f"Outside the region (ρ = {outside['rho']:g}, the script's rate, T = {outside['horizon']:g}) no steady "
        f"state exists: the optimum trains fully until t = {outside['switch_time']:.2f} and then shifts to "
        f"inference ({alpha_at}).\n")


def write_report(summary: dict[str, Any], balanced: pd.DataFrame, path: Path) -> Path:
    case = summary["case"]
    text = "\n".join([
        "# Reproduction of Troynikov, \"Economically-optimal compute allocation\" (seed 000)",
        "",
        f"Base case: β_T = {case['beta_T']:g}, β_R = {case['beta_R']:g}, ε = {case['epsilon']:g}, "
        f"γ = {case['gamma']:g}, ρ = {case['rho']:g}, C(t) = {case['compute0']:g} e^{{{case['growth']:g} t}}, "
        f"T = {case['horizon']:g}, M(0) = {case['capability0']:g}. labrace {summary['labrace_version']}"
        + (" (quick run: reduced verification and sweeps)." if summary["quick"] else "."),
        "",
        "## The paper's results beside labrace's",
        "",
        _headline(summary),
        "",
        "## Why the paper's numbers differ: its numerical scheme, cause by cause",
        "",
        "The published scheme is re-created (explicit Euler on dt = 0.1, costate with an extra ρλ term, "
        "relaxation 0.3, stop at 1e-4, trapezoid NPV) and each cause is switched off in turn.",
        "",
        _attribution(summary),
        "",
        _attribution_text(summary),
        "## Verification of labrace's optimum",
        "",
        _verification(summary),
        "",
        "## Steady state (§4)",
        "",
        _steady(summary, balanced),
        "## Figures",
        "",
        "fig1_base_case.png (Fig. 1, paper scheme overlaid), fig2–5_sensitivity_*.png (Figs. 2–5, paper "
        "scheme overlaid), fig6_steady_state_constant.png (Fig. 6, ρ = 0.15, T = 100 as in the published "
        "script), fig7_steady_state_sensitivity.png (Fig. 7: eq. 11 against the corrected closed forms and "
        "long-horizon optima). Data: optimal_trajectory.csv, sweeps.csv, balanced_growth.csv, summary.json.",
        "",
    ])
    path.write_text(text)
    return path
