"""Figures and report.md of ``labrace reproduce equilibria`` (drawn from computed tables, no solving here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from labrace.reproductions.figures import save_figure  # noqa: E402

KINDS = ("open-loop Nash", "Markov-perfect", "lab alone", "pontryagin (nash)", "pontryagin (constant_alpha)",
         "pontryagin (trend)", "nash policy (committed)", "feedback policy")


def figure(name: str, paths: pd.DataFrame, path: Path) -> Path:
    """Alpha and capability of the first lab (and the second, dashed, where the labs differ) per kind."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    labs = list(dict.fromkeys(paths.lab))
    for kind in KINDS:
        for lab, style in zip(labs, ("-", "--")):
            own = paths[(paths.kind == kind) & (paths.lab == lab)]
            if own.empty:
                continue
            label = kind if len(labs) == 1 or style == "-" else None
            line, = axes[0].plot(own.t, own.alpha, style, label=label, lw=1.2)
            axes[1].plot(own.t, own.capability, style, color=line.get_color(), lw=1.2)
    axes[0].set(xlabel="t (years)", ylabel="training share alpha", title=f"{name}: alpha ({labs[0]} solid)")
    axes[1].set(xlabel="t (years)", ylabel="capability M", title=f"{name}: capability")
    axes[0].legend(fontsize=7)
    return save_figure(fig, path)


def _table(outcomes: list[dict[str, Any]]) -> str:
    lines = ["| kind | lab | switch time | alpha(8) | NPV | final M | sign changes of dalpha in [5.5, 9] | CPU s |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for row in outcomes:
        lines.append(f"| {row['kind']} | {row['lab']} | {row['switch_time']:.2f} | {row['alpha_at_8']:.4f} | "
                     f"{row['npv']:,.0f} | {row['final_capability']:.2f} | {row['sign_changes']} | "
                     f"{row['cpu_seconds']:.2f} |")
    return "\n".join(lines)


def _levels(levels: list[dict[str, Any]]) -> str:
    lines = ["| nodes per lab | steps | value at start (lab 0) | NPV of the path (lab 0) | rounds | worst residual "
             "| worst gap | CPU s |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for level in levels:
        lines.append(f"| {level['nodes']} | {level['steps']} | {level['value_at_start'][0]:,.0f} | "
                     f"{level['path_npv'][0]:,.0f} | {level['rounds']} | {level['worst_residual']:.1e} | "
                     f"{level['worst_gap']:.1e} | {level['cpu_seconds']:.2f} |")
    return "\n".join(lines)


EXPLANATION = """\
## Why the kinds differ

* **Naive forecasts** (`pontryagin` with `constant_alpha` or `trend`). Before anyone serves, a rival's
  last share is 1, so it is forecast never to sell: the best response is the lab-alone plan and business
  stealing vanishes from the plan. The agents therefore switch no later than the lab alone; after each
  re-plan they see the rival serving and correct, which shows as the saw-tooth counted in the table.
  Both labs making the same mistake in the same direction also explains why they can end with a *higher*
  NPV than the equilibrium: they train less than the arms race of the equilibrium asks for.
* **Receding-horizon Nash** (`pontryagin` with `forecast = "nash"`) solves, at every re-plan, the
  open-loop equilibrium of the game left from the observed state. Along the equilibrium path an
  open-loop equilibrium is time consistent (the rest of it is the equilibrium of the remaining game), so
  these agents follow the open-loop equilibrium: the same switch time and alpha(8), no saw-tooth. Their
  NPV differs from the open-loop solver's only by the model's step (revenue booked on the state at each
  step's start, first order in dt), and it matches the committed `nash` policy run the same way.
* **Markov-perfect** labs condition on the state: each knows that its own capability moves its rival's
  future shares (the strategic response reported for each duopoly), which open-loop labs, committed to
  paths, ignore. Where the rival trains more when one is ahead (a positive response, as under a contest
  exponent above gamma), extra training provokes the rival, so each lab trains a little less than in the
  open-loop equilibrium: it switches earlier, ends less capable, and both earn more (a softer race).
  Where the response is close to zero (lambda = gamma) the two equilibria agree within the grid's error.
  The MPE path comes from backward induction on a grid whose error the refinement table measures.
* **The `feedback` policy** plays the Markov-perfect strategies of its own, coarser solve (fewer nodes
  and steps than the reported MPE) in the model, so its shares and booked NPV differ from the MPE row by
  that grid's error and by the model's booking; it stays on its strategy off the equilibrium path.
* **The lab alone** has the whole market; competition (congestion and the contest) changes both the
  switch time and the NPV.
"""


def write_report(summary: dict[str, Any], path: Path) -> Path:
    parts = ["# Equilibria of the shipped duopolies", "",
             "Open-loop Nash and Markov-perfect equilibria, receding-horizon agents with every forecast and the "
             f"lab alone (model step dt = {summary['dt']}{', quick mode' if summary['quick'] else ''}). "
             "Solver kinds report their own NPV (continuous time; the MPE's is the NPV of its path); model "
             "kinds report the NPV booked by the model. Switch times: the first grid time (solvers) or step "
             "start (model, MPE) with alpha below 1.", ""]
    for name, block in summary["duopolies"].items():
        market = ", ".join(f"{k} = {v}" for k, v in block["market"].items() if v is not None)
        mpe = block["markov_perfect"]
        response = mpe["strategic_response"]
        parts += [f"## {name}", "", f"Market: {market}.", "", f"![{name}](fig_{name}.png)", "",
                  _table(block["outcomes"]), "", "Markov-perfect solve, grid refinement:", "",
                  _levels(mpe["levels"]), "",
                  f"Strategic response on the MPE path at t = {response['t']:.2f}: d alpha_1 / d x_0 = "
                  f"{response['d_alpha1_d_x0']:.3e} (own: d alpha_0 / d x_0 = {response['d_alpha0_d_x0']:.3e}) "
                  f"at x_0 = {response['x0']:.2f}.", ""]
    parts.append(EXPLANATION)
    path.write_text("\n".join(parts))
    return path
