"""The tournament's standard figures (PNG, drawn with seaborn/matplotlib).

Figures are ``matplotlib.figure.Figure`` objects built without pyplot: no display is needed and the
caller's backend (a notebook's inline one) is never switched. Each ``draw_*`` function fills one axes, so
the files written by :func:`write_analysis` and the notebook overview share the drawing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from labrace.tournaments.game import ReplicatorResult

MIN_SPREAD = 0.05  # colour range of the heatmap at least 1 +- 5%, so that tiny differences stay pale


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=120, bbox_inches="tight")


def draw_payoff(ax: Axes, matrix: pd.DataFrame) -> None:
    """Relative NPV of the row policy against the column policy.

    1 is the seat's average, so the colours diverge from a neutral 1 (red below, blue above) over a range
    symmetric about it: equal colour intensity means an equal gain or loss against the average.
    """
    spread = max(MIN_SPREAD, float(np.nanmax(np.abs(matrix.to_numpy(dtype=float) - 1.0))))
    sns.heatmap(matrix, annot=True, fmt=".2f", cmap="RdBu", center=1.0, vmin=1.0 - spread, vmax=1.0 + spread,
                ax=ax, cbar_kws={"label": "relative NPV (1 = seat's average)"})
    ax.set_title("Payoff: row policy against column opponent")


def payoff_heatmap(matrix: pd.DataFrame, path: Path) -> None:
    size = 1.2 + 0.9 * len(matrix)
    fig = Figure(figsize=(size + 2, size))
    draw_payoff(fig.subplots(), matrix)
    _save(fig, path)


def npv_distributions(frame: pd.DataFrame, order: list[str], path: Path) -> None:
    """Relative NPV of every appearance, per policy in rank order."""
    fig = Figure(figsize=(8, 1.5 + 0.5 * len(order)))
    ax = fig.subplots()
    ok = frame[frame["status"] == "ok"]
    sns.boxplot(data=ok, y="policy", x="relative_npv", order=order, ax=ax, color="#9ecae1", fliersize=2)
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("relative NPV (1 = seat's average in its environment)")
    ax.set_ylabel("")
    _save(fig, path)


def draw_ranking(ax: Axes, table: pd.DataFrame) -> None:
    """Mean relative NPV per policy with its bootstrap interval over its appearances."""
    y = range(len(table))
    err = [table["mean_relative_npv"] - table["ci_low"], table["ci_high"] - table["mean_relative_npv"]]
    ax.errorbar(table["mean_relative_npv"], y, xerr=err, fmt="o", capsize=4)
    ax.set_yticks(list(y), [f"{'-' if pd.isna(r) else int(r)}. {p}" for r, p in zip(table["rank"], table["policy"])])
    ax.invert_yaxis()
    ax.axvline(1.0, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("mean relative NPV (bars: 95% bootstrap interval over its appearances)")


def ranking_plot(table: pd.DataFrame, path: Path) -> None:
    fig = Figure(figsize=(8, 1.5 + 0.5 * len(table)))
    draw_ranking(fig.subplots(), table)
    _save(fig, path)


def replicator_plot(result: ReplicatorResult, labels: list[str], path: Path) -> None:
    """Population shares along the replicator trajectory from the uniform mix."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    t = result.t
    for k, label in enumerate(labels):
        ax.plot(t + 1e-3, result.path[:, k], label=label)
    ax.set_xscale("log")
    ax.set_xlabel("replicator time (payoffs scaled to unit spread)")
    ax.set_ylabel("population share")
    state = "converged" if result.converged else "not converged"
    ax.set_title(f"Replicator dynamics from the uniform mix ({state})")
    ax.legend(fontsize="small", loc="best")
    _save(fig, path)


def overview(ranking: pd.DataFrame, relative: pd.DataFrame | None) -> Figure:
    """The ranking beside the relative-NPV payoff heatmap (the ranking alone without duopoly runs)."""
    n = len(ranking)
    panels = 1 if relative is None else 2
    fig = Figure(figsize=(8 * panels, 1.5 + 0.7 * n), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False).ravel()
    draw_ranking(axes[0], ranking)
    if relative is not None:
        draw_payoff(axes[1], relative)
    return fig


def robust_plot(ranking: pd.DataFrame, winners: pd.DataFrame, features: list[str], path: Path) -> None:
    """Left: each entrant's expected relative NPV and max regret over the sampled worlds. Right: the worlds
    over the first two swept parameters (or the first against its rank), coloured by their winner."""
    fig = Figure(figsize=(12, 4.5))
    left, right = fig.subplots(1, 2)
    y = np.arange(len(ranking))[::-1]
    left.barh(y + 0.2, ranking["expected_relative_npv"], height=0.4, color="C0", label="expected relative NPV")
    left.barh(y - 0.2, ranking["max_regret"], height=0.4, color="C3", label="max regret")
    left.set_yticks(y, ranking["policy"])
    left.axvline(1.0, color="black", linewidth=0.6, linestyle=":")
    left.set_xlabel("relative NPV (1 = seat's average)")
    left.legend(loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=2, frameon=False, fontsize=8)
    left.set_title("Across the sampled worlds", pad=24)
    if features:
        x = winners[features[0]]
        other = winners[features[1]] if len(features) > 1 else x.rank()
        sns.scatterplot(x=x, y=other, hue=winners["winner"], style=winners["scenario"]
                        if winners["scenario"].nunique() > 1 else None, ax=right, s=30)
        for axis, values in (("x", x), ("y", other)):
            if values.min() > 0 and values.max() > 20 * values.min():  # a lognormal's spread reads on a log scale
                (right.set_xscale if axis == "x" else right.set_yscale)("log")
        right.set_xlabel(features[0])
        right.set_ylabel(features[1] if len(features) > 1 else f"rank of {features[0]}")
        sns.move_legend(right, "upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="winner")
        right.set_title("Where each entrant wins")
    else:
        right.set_visible(False)
    fig.tight_layout()
    _save(fig, path)
