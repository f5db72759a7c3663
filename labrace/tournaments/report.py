"""Writing a tournament's analysis into its output directory: CSVs, figures, equilibrium.json, summary.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labrace.tournaments import analysis, figures, game, robust
from labrace.tournaments.spec import TournamentSpec

BOOTSTRAP_SEED = 20240501
SWEEP_POINTS_SHOWN = 20  # summary.md lists this many sweep points; the CSV has all


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


@dataclass
class Analysis:
    """A tournament's analysis: rankings, payoff matrices (``None`` without duopoly runs) and the game.

    ``figures_skipped`` says why the comparison figures cannot be drawn (one entrant, or no relative NPV
    defined), empty when they can.
    """

    ranking: pd.DataFrame
    ranking_by_scenario: pd.DataFrame
    ranking_by_sweep: pd.DataFrame
    payoff_matrix: pd.DataFrame | None  # mean NPV of the row policy against the column opponent
    payoff_matrix_relative: pd.DataFrame | None  # the same in relative NPV: the game's payoffs
    equilibrium: dict[str, Any]
    figures_skipped: str = ""
    dynamics: game.ReplicatorResult | None = field(default=None, repr=False)
    robust: robust.RobustAnalysis | None = None  # across sweep points: expected relative NPV, regret, rules


def _figures_skipped(order: list[str], frame: pd.DataFrame) -> str:
    """Why the comparison figures cannot be drawn, or ``""`` when they can."""
    if len(order) < 2:
        return ("a single entrant has nobody to be compared with (its relative NPV is 1 by construction), so "
                "the figures that compare entrants are not drawn")
    if not frame["relative_npv"].notna().any():
        return ("no environment has a positive average NPV, so relative NPV is undefined and the figures built "
                "on it are not drawn")
    return ""


def analyse(spec: TournamentSpec, frame: pd.DataFrame) -> Analysis:
    """Rankings (overall, per scenario, per sweep point), payoff matrices and the game view of a results frame."""
    order = [e.label for e in spec.entrants]
    table = analysis.ranking(frame, order, BOOTSTRAP_SEED)
    by_scenario = analysis.ranking_by(frame, order, "scenario", BOOTSTRAP_SEED)
    by_sweep = analysis.ranking_by_sweep(frame, order, BOOTSTRAP_SEED)
    skipped = _figures_skipped(order, frame)
    relative = analysis.payoff_matrix(frame, order, "relative_npv")
    pairs = not relative.isna().all().all()
    npv, relative = (analysis.payoff_matrix(frame, order, "npv"), relative) if pairs else (None, None)
    if len(order) < 2:
        return Analysis(table, by_scenario, by_sweep, npv, relative,
                        {"skipped": "a single entrant (the game needs two strategies)"}, skipped)
    if not pairs:
        return Analysis(table, by_scenario, by_sweep, None, None,
                        {"skipped": "no duopoly runs (the game view needs line-ups of two)"}, skipped,
                        robust=robust.analyse(frame, order))
    eq, dynamics = equilibrium(relative)
    return Analysis(table, by_scenario, by_sweep, npv, relative, eq, skipped, dynamics, robust.analyse(frame, order))


def write_analysis(spec: TournamentSpec, frame: pd.DataFrame, out: Path) -> Analysis:
    """Analyse ``frame`` and write every analysis file into ``out``; returns the analysis.

    The tables, ``equilibrium.json`` and ``summary.md`` are written before any figure, and figures that
    have nothing to show are skipped with a note in the summary, so a degenerate tournament (one entrant,
    no positive NPV) still leaves its whole analysis.
    """
    result = analyse(spec, frame)
    order = [e.label for e in spec.entrants]
    result.ranking.to_csv(out / "ranking.csv", index=False)
    result.ranking_by_scenario.to_csv(out / "ranking_by_scenario.csv", index=False)
    result.ranking_by_sweep.to_csv(out / "ranking_by_sweep.csv", index=False)
    if result.payoff_matrix is not None and result.payoff_matrix_relative is not None:
        result.payoff_matrix.to_csv(out / "payoff_matrix.csv")
        result.payoff_matrix_relative.to_csv(out / "payoff_matrix_relative.csv")
    (out / "equilibrium.json").write_text(json.dumps(result.equilibrium, indent=2) + "\n")
    if result.robust is not None:
        result.robust.ranking.to_csv(out / "robust.csv", index=False)
        result.robust.winners.to_csv(out / "winners.csv", index=False)
    (out / "summary.md").write_text(_summary(spec, frame, result.ranking, result.ranking_by_scenario,
                                             result.ranking_by_sweep, result.equilibrium, result.figures_skipped)
                                    + _robust_section(result.robust))
    if not result.figures_skipped:
        figures.npv_distributions(frame, list(result.ranking["policy"]), out / "npv_distributions.png")
        figures.ranking_plot(result.ranking, out / "ranking.png")
        if result.payoff_matrix_relative is not None:
            figures.payoff_heatmap(result.payoff_matrix_relative, out / "payoff_heatmap.png")
        if result.dynamics is not None:
            figures.replicator_plot(result.dynamics, order, out / "equilibrium.png")
        if result.robust is not None:
            figures.robust_plot(result.robust.ranking, result.robust.winners, result.robust.features,
                                out / "robust.png")
    return result


def _robust_section(found: robust.RobustAnalysis | None) -> str:
    """summary.md's section on robustness across the sweep points (empty without two or more)."""
    if found is None:
        return ""
    shown = found.ranking[["rank_expected", "policy", "worlds", "expected_relative_npv", "worst_relative_npv",
                           "mean_regret", "max_regret", "rank_max_regret", "win_share"]]
    robust_choice = found.ranking.sort_values(["rank_max_regret", "rank_expected"]).iloc[0]
    lines = ["", "## Robust policies across the sweep points", "",
             "Each sweep point of each scenario is one possible world; an entrant's score there is its mean relative "
             "NPV (over seeds, seats and line-ups). Regret in a world is the best entrant's score minus this one's. "
             "All of it per world in winners.csv.", "", _markdown(shown), "",
             f"Minimax-regret choice: {robust_choice['policy']} (max regret {robust_choice['max_regret']:.3g}, "
             f"expected relative NPV {robust_choice['expected_relative_npv']:.3g}).", ""]
    if found.rules:
        lines += ["Where each entrant wins (a classification tree of depth "
                  f"{robust.TREE_DEPTH} over the swept parameters, at least {robust.MIN_LEAF} worlds a leaf):", ""]
        lines += [f"- {r['scenario']}: {r['conditions']}: {r['winner']} wins {r['wins']} of {r['worlds']} worlds"
                  for r in found.rules]
    return "\n".join(lines) + "\n"


def non_converged_runs(frame: pd.DataFrame) -> int | None:
    """How many runs had at least one plan that did not converge (None when the results predate the
    planning diagnostics)."""
    if "plans_not_converged" not in frame or frame["plans_not_converged"].isna().all():
        return None
    return int((frame.groupby("key")["plans_not_converged"].sum() > 0).sum())


def _plan_line(frame: pd.DataFrame) -> str:
    bad = non_converged_runs(frame)
    if bad is None:
        return "Planning diagnostics: not recorded for these results."
    if bad == 0:
        return "Planning: every plan of every run converged."
    return (f"Planning: {bad} run(s) had a plan that did not converge (their results are kept; the "
            "plans_not_converged column of the results names the labs).")


def _leaders(group: pd.DataFrame) -> str:
    """A group's ranking as one line: ``1. a (1.12), 2. b (0.97), ...``."""
    ranked = group.sort_values(["rank", "policy"])
    return ", ".join(f"{'-' if pd.isna(r.rank) else int(r.rank)}. {r.policy} ({r.mean_relative_npv:.3g})"
                     for r in ranked.itertuples())


def _summary(spec: TournamentSpec, frame: pd.DataFrame, table: pd.DataFrame, by_scenario: pd.DataFrame,
             by_sweep: pd.DataFrame, eq: dict[str, Any], figures_skipped: str) -> str:
    runs = frame.drop_duplicates("key")["status"].value_counts()
    shown = table[["rank", "policy", "runs", "mean_relative_npv", "ci_low", "ci_high", "win_rate", "mean_npv",
                   "median_npv"]]
    lines = [f"# Tournament: {spec.name}", "", spec.description.strip(), "",
             f"Entrants: {len(spec.entrants)}; scenarios: {', '.join(s.name for s in spec.scenarios)}; "
             f"seeds: {len(spec.seeds)}; sweep points: {spec.sweep.size}; seating: {spec.seating}.",
             "Runs: " + ", ".join(f"{n} {status}" for status, n in runs.items()) + ".",
             _plan_line(frame), "",
             "## Ranking (all scenarios and sweep points)", "",
             "Relative NPV = the lab's NPV / the mean NPV of the same seat in the same scenario, sweep point and "
             "seed over all line-ups (1 = average). Win rate: share of runs with the highest NPV (ties split). "
             + analysis.INTERVAL_MEANING,
             "", _markdown(shown), "", "## Winner per scenario", ""]
    for name, group in by_scenario.groupby("scenario"):
        top = group.sort_values("rank").iloc[0]
        lines.append(f"- {name}: {top['policy']} (relative NPV {top['mean_relative_npv']:.3g}, "
                     f"bootstrap interval {top['ci_low']:.3g}-{top['ci_high']:.3g})")
    if spec.sweep.size > 1:
        points = list(by_sweep.groupby("sweep", sort=False))
        lines += ["", "## Ranking per sweep point", "",
                  "Policies in rank order with their mean relative NPV at each sweep point, pooled over scenarios "
                  "and seeds (all of them in ranking_by_sweep.csv).", ""]
        for point, group in points[:SWEEP_POINTS_SHOWN]:
            values = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}"
                               for k, v in json.loads(point).items())
            lines.append(f"- {values}: {_leaders(group)}")
        if len(points) > SWEEP_POINTS_SHOWN:
            lines.append(f"- ... {len(points) - SWEEP_POINTS_SHOWN} more sweep points in ranking_by_sweep.csv")
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
    if figures_skipped:
        lines += ["", "## Figures", "", f"Skipped: {figures_skipped}."]
    failures = frame[frame["status"] == "failed"].drop_duplicates("key")
    if len(failures):
        lines += ["", "## Failed runs", ""]
        lines += [f"- {r.key} ({r.scenario}, {r.lineup}): {r.error}" for r in failures.head(20).itertuples()]
    return "\n".join(lines) + "\n"
