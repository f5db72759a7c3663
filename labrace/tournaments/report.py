"""Writing a tournament's analysis into its output directory: CSVs, figures, equilibrium.json, summary.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labrace.tournaments import analysis, figures, game
from labrace.tournaments.spec import TournamentSpec

BOOTSTRAP_SEED = 20240501


def equilibrium(matrix: pd.DataFrame) -> tuple[dict[str, Any], game.ReplicatorResult | None]:
    """The game view of a relative-NPV payoff matrix (replicator limit, symmetric equilibria, regret)."""
    labels = list(matrix.index)
    A = matrix.to_numpy(dtype=float)
    if np.isnan(A).any():
        return {"skipped": "the payoff matrix has missing cells (failed or missing runs)"}, None
    dynamics = game.replicator(A)

    def mix(x: np.ndarray) -> dict[str, float]:
        return {label: round(float(v), 6) for label, v in zip(labels, x)}

    return {
        "payoff": "mean relative NPV of the row policy against the column opponent (duopoly runs)",
        "strategies": labels,
        "matrix": A.round(6).tolist(),
        "replicator": {"start": mix(np.full(len(labels), 1 / len(labels))), "limit": mix(dynamics.limit),
                       "converged": dynamics.converged, "time": dynamics.time, "final_speed": dynamics.speed},
        "nash": [{"mix": mix(e.mix), "support": [labels[i] for i in e.support], "payoff": e.payoff}
                 for e in game.symmetric_nash(A)],
        "regret": {"pure": mix(game.pure_regret(A)),
                   "at_replicator_limit": mix(game.regret_against(A, dynamics.limit))},
    }, dynamics


def _markdown(table: pd.DataFrame, digits: int = 3) -> str:
    def cell(v: Any) -> str:
        return f"{v:.{digits}g}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def write_analysis(spec: TournamentSpec, frame: pd.DataFrame, out: Path) -> dict[str, Any]:
    """Write every analysis file into ``out``; returns the overall ranking and the equilibrium data."""
    order = [e.label for e in spec.entrants]
    table = analysis.ranking(frame, order, BOOTSTRAP_SEED)
    table.to_csv(out / "ranking.csv", index=False)
    by_scenario = analysis.ranking_by_scenario(frame, order, BOOTSTRAP_SEED)
    by_scenario.to_csv(out / "ranking_by_scenario.csv", index=False)
    figures.npv_distributions(frame, list(table["policy"]), out / "npv_distributions.png")
    figures.ranking_plot(table, out / "ranking.png")
    eq: dict[str, Any] = {"skipped": "no duopoly runs (the game view needs line-ups of two)"}
    dynamics = None
    relative = analysis.payoff_matrix(frame, order, "relative_npv")
    if not relative.isna().all().all():
        analysis.payoff_matrix(frame, order, "npv").to_csv(out / "payoff_matrix.csv")
        relative.to_csv(out / "payoff_matrix_relative.csv")
        figures.payoff_heatmap(relative, out / "payoff_heatmap.png")
        eq, dynamics = equilibrium(relative)
    if dynamics is not None:
        figures.replicator_plot(dynamics, order, out / "equilibrium.png")
    (out / "equilibrium.json").write_text(json.dumps(eq, indent=2) + "\n")
    (out / "summary.md").write_text(_summary(spec, frame, table, by_scenario, eq))
    return {"ranking": table, "equilibrium": eq}


def _summary(spec: TournamentSpec, frame: pd.DataFrame, table: pd.DataFrame, by_scenario: pd.DataFrame,
             eq: dict[str, Any]) -> str:
    runs = frame.drop_duplicates("key")["status"].value_counts()
    shown = table[["rank", "policy", "runs", "mean_relative_npv", "ci_low", "ci_high", "win_rate", "mean_npv",
                   "median_npv"]]
    lines = [f"# Tournament: {spec.name}", "", spec.description.strip(), "",
             f"Entrants: {len(spec.entrants)}; scenarios: {', '.join(s.name for s in spec.scenarios)}; "
             f"seeds: {len(spec.seeds)}; sweep points: {spec.sweep.size}; seating: {spec.seating}.",
             "Runs: " + ", ".join(f"{n} {status}" for status, n in runs.items()) + ".", "",
             "## Ranking (all scenarios)", "",
             "Relative NPV = the lab's NPV / the mean NPV of the same seat in the same scenario, sweep point and "
             "seed over all line-ups (1 = average). CIs: percentile bootstrap of the mean, "
             f"{analysis.BOOTSTRAP_SAMPLES} resamples. Win rate: share of runs with the highest NPV (ties split).",
             "", _markdown(shown), "", "## Winner per scenario", ""]
    for name, group in by_scenario.groupby("scenario"):
        top = group.sort_values("rank").iloc[0]
        lines.append(f"- {name}: {top['policy']} (relative NPV {top['mean_relative_npv']:.3g}, "
                     f"95% CI {top['ci_low']:.3g}-{top['ci_high']:.3g})")
    lines += ["", "## The tournament as a game", ""]
    if "skipped" in eq:
        lines.append(f"Skipped: {eq['skipped']}.")
    else:
        rep = eq["replicator"]
        limit = ", ".join(f"{k} {v:.3f}" for k, v in rep["limit"].items() if v > 1e-4)
        lines.append(f"Replicator dynamics from the uniform mix: {'converged' if rep['converged'] else 'did not converge'}"
                     f" to {limit}.")
        for e in eq["nash"]:
            mix = ", ".join(f"{k} {v:.3f}" for k, v in e["mix"].items() if v > 0)
            lines.append(f"- symmetric Nash equilibrium: {mix} (payoff {e['payoff']:.3g})")
        worst = max(eq["regret"]["pure"], key=eq["regret"]["pure"].get)
        lines.append(f"Most exploitable when everyone plays it: {worst} "
                     f"(best response gains {eq['regret']['pure'][worst]:.3g}).")
    failures = frame[frame["status"] == "failed"].drop_duplicates("key")
    if len(failures):
        lines += ["", "## Failed runs", ""]
        lines += [f"- {r.key} ({r.scenario}, {r.lineup}): {r.error}" for r in failures.head(20).itertuples()]
    return "\n".join(lines) + "\n"
