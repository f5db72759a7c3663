"""Seaborn figures of a run: training share, capability, market share, price and cumulative NPV over time.

Figures are rendered off-screen (Agg) so that headless runs and tests never need a display.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from labrace.simulation.run import RunResult  # noqa: E402

# (file stem, column of the labs table, axis label, log scale?)
LAB_FIGURES = (
    ("alpha", "alpha", "training share alpha", False),
    ("capability", "capability", "capability M", True),
    ("share", "share", "market share s", False),
    ("npv", "npv", "cumulative discounted revenue (NPV)", False),
)
LEGEND_MAX_LABS = 12


def _finish(ax, title: str, path: Path) -> None:
    ax.set_xlabel("t (years)")
    ax.set_title(title)
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=110)
    plt.close(ax.figure)


def write_figures(result: RunResult, folder: Path) -> list[Path]:
    """One PNG per quantity into ``folder``; returns the paths written."""
    sns.set_theme(style="whitegrid")
    labs = result.labs
    many = labs["lab"].nunique() > LEGEND_MAX_LABS
    written = []
    for stem, column, label, log in LAB_FIGURES:
        fig, ax = plt.subplots(figsize=(7, 4))
        sns.lineplot(data=labs, x="t", y=column, hue="lab", estimator=None, legend=not many, ax=ax)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(label)
        path = folder / f"{stem}.png"
        _finish(ax, f"{result.config.name}: {label}", path)
        written.append(path)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.lineplot(data=result.market, x="t", y="price", estimator=None, ax=ax)
    ax.set_ylabel("price per token P")
    path = folder / "price.png"
    _finish(ax, f"{result.config.name}: market price", path)
    written.append(path)
    return written
