"""Figures of uncertainty studies: fan charts of a Monte Carlo, and tornado and index plots of a
sensitivity analysis. Built as ``Figure`` objects inside the run figures' seaborn theme (no pyplot)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from labrace.simulation.columns import OUTCOMES, axis_label
from labrace.simulation.figures import LAB_FIGURES, TIME_LABEL, theme

FAN_FIGURES = {column: (stem, label, log) for stem, column, label, log in LAB_FIGURES}
"""The fans use the run figures' quantities, labels (with units) and scales."""


OUTPUT_LABELS = {"npv": axis_label(OUTCOMES, "npv", "NPV"), "log_npv": "log NPV (relative changes of NPV)",
                 "mean_alpha": axis_label(OUTCOMES, "mean_alpha", "training share (mean alpha)"),
                 "final_capability": axis_label(OUTCOMES, "final_capability", "final capability M")}


def _legend_below(fig: Figure, ax) -> None:
    """One legend for the figure, under its panels (inside, it covers bars)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=len(labels), frameon=False)


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def fan_chart(fans: pd.DataFrame, quantity: str, title: str, path: Path) -> Path:
    """Each lab's median over time with its 25%-75% and 5%-95% bands across the samples."""
    _stem, label, log = FAN_FIGURES[quantity]
    with theme():
        fig = Figure(figsize=(7, 4))
        ax = fig.subplots()
        colours = sns.color_palette(n_colors=max(1, fans["lab"].nunique()))
        for colour, (lab, rows) in zip(colours, fans[fans["quantity"] == quantity].groupby("lab", sort=False)):
            ax.fill_between(rows["t"], rows["q5"], rows["q95"], color=colour, alpha=0.18, linewidth=0)
            ax.fill_between(rows["t"], rows["q25"], rows["q75"], color=colour, alpha=0.35, linewidth=0)
            ax.plot(rows["t"], rows["q50"], color=colour, label=lab)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(TIME_LABEL)
        ax.set_ylabel(label)
        ax.set_title(f"{title}: median, 50% and 90% bands over the samples", fontsize=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="lab")
        return _save(fig, path)


def write_fans(fans: pd.DataFrame, title: str, folder: Path) -> list[Path]:
    """One fan chart per trajectory into ``folder`` (``fan_<quantity>.png``)."""
    return [fan_chart(fans, quantity, title, folder / f"fan_{FAN_FIGURES[quantity][0]}.png")
            for quantity in FAN_FIGURES if (fans["quantity"] == quantity).any()]


def index_plot(indices: pd.DataFrame, title: str, path: Path) -> Path:
    """First-order and total Sobol indices with their bootstrap intervals, one panel per output."""
    outputs = list(dict.fromkeys(indices["output"]))
    with theme():
        fig = Figure(figsize=(7, 1.2 + (0.6 + 0.5 * indices["parameter"].nunique()) * len(outputs)))
        axes = np.atleast_1d(fig.subplots(len(outputs), 1, squeeze=False).ravel())
        for ax, output in zip(axes, outputs):
            rows = indices[indices["output"] == output].iloc[::-1]
            y = np.arange(len(rows))
            for offset, kind, colour in ((0.18, "S1", "C0"), (-0.18, "ST", "C1")):
                ax.barh(y + offset, rows[kind], height=0.34, color=colour, label=kind,
                        xerr=[rows[kind] - rows[f"{kind}_low"], rows[f"{kind}_high"] - rows[kind]],
                        error_kw={"elinewidth": 0.8})
            ax.set_yticks(y, rows["parameter"])
            ax.set_xlim(left=min(0.0, float(rows[["S1_low", "ST_low"]].min().min())))
            ax.set_title(OUTPUT_LABELS.get(output, output), fontsize=9)
        axes[-1].set_xlabel("Sobol index (share of the output's variance)")
        fig.tight_layout()
        _legend_below(fig, axes[0])
        fig.suptitle(title)
        return _save(fig, path)


def tornado(swings: pd.DataFrame, title: str, path: Path) -> Path:
    """Per output, the change of the output when each parameter alone moves from its p5 to its p95."""
    outputs = list(dict.fromkeys(swings["output"]))
    with theme():
        fig = Figure(figsize=(7, 1.2 + (0.6 + 0.45 * swings["parameter"].nunique()) * len(outputs)))
        axes = np.atleast_1d(fig.subplots(len(outputs), 1, squeeze=False).ravel())
        for ax, output in zip(axes, outputs):
            rows = swings[swings["output"] == output]
            rows = rows.reindex(rows["swing"].abs().sort_values().index)
            y = np.arange(len(rows))
            base = rows["nominal"].iloc[0]
            ax.barh(y, rows["at_low"] - base, left=base, color="C0", label="parameter at its p5")
            ax.barh(y, rows["at_high"] - base, left=base, color="C3", label="parameter at its p95")
            ax.axvline(base, color="black", linewidth=0.8)
            ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
            ax.set_yticks(y, rows["parameter"])
            ax.set_title(OUTPUT_LABELS.get(output, output), fontsize=9)
        fig.tight_layout()
        _legend_below(fig, axes[0])
        fig.suptitle(title)
        return _save(fig, path)
