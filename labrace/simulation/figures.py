"""Seaborn figures of a run: training share, capability, market share, cumulative NPV and price over time.

Figures are built as ``matplotlib.figure.Figure`` objects rather than through pyplot, so drawing needs no
display and never switches the caller's backend (a notebook keeps its inline backend), and the seaborn
theme is applied inside an ``rc_context`` so the caller's style settings are left as they were.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import matplotlib
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from labrace.simulation.run import RunResult

# (file stem, column of the labs table, axis label, log scale?)
LAB_FIGURES = (
    ("alpha", "alpha", "training share alpha", False),
    ("capability", "capability", "capability M", True),
    ("share", "share", "market share s", False),
    ("npv", "npv", "cumulative discounted revenue (NPV)", False),
)
PRICE_LABEL = "price per token P"
LEGEND_MAX_LABS = 12


@contextmanager
def theme() -> Iterator[None]:
    """Seaborn's whitegrid theme for what is drawn (and saved) inside; the previous settings afterwards."""
    with matplotlib.rc_context():
        sns.set_theme(style="whitegrid")
        yield


def draw_lab_column(ax: Axes, result: RunResult, column: str, label: str, log: bool, legend: bool) -> None:
    """One line per lab of ``column`` against time."""
    sns.lineplot(data=result.labs, x="t", y=column, hue="lab", estimator=None, legend=legend, ax=ax)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(label)
    ax.set_xlabel("t (years)")


def draw_price(ax: Axes, result: RunResult) -> None:
    sns.lineplot(data=result.market, x="t", y="price", estimator=None, ax=ax)
    ax.set_ylabel(PRICE_LABEL)
    ax.set_xlabel("t (years)")


def _legend(result: RunResult) -> bool:
    return result.labs["lab"].nunique() <= LEGEND_MAX_LABS


def _save(fig: Figure, ax: Axes, title: str, path: Path) -> None:
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_figures(result: RunResult, folder: Path) -> list[Path]:
    """One PNG per quantity into ``folder``; returns the paths written."""
    written = []
    with theme():
        for stem, column, label, log in LAB_FIGURES:
            fig = Figure(figsize=(7, 4))
            ax = fig.subplots()
            draw_lab_column(ax, result, column, label, log, _legend(result))
            path = folder / f"{stem}.png"
            _save(fig, ax, f"{result.config.name}: {label}", path)
            written.append(path)
        fig = Figure(figsize=(7, 4))
        ax = fig.subplots()
        draw_price(ax, result)
        path = folder / "price.png"
        _save(fig, ax, f"{result.config.name}: market price", path)
        written.append(path)
    return written


def overview(result: RunResult) -> Figure:
    """The five quantities of :func:`write_figures` as panels of one figure (for notebooks)."""
    with theme():
        fig = Figure(figsize=(12, 10))
        axes = fig.subplots(3, 2).ravel()
        for k, (_stem, column, label, log) in enumerate(LAB_FIGURES):
            draw_lab_column(axes[k], result, column, label, log, legend=k == 0 and _legend(result))
        draw_price(axes[len(LAB_FIGURES)], result)
        for ax in axes[len(LAB_FIGURES) + 1:]:
            ax.set_visible(False)
        fig.suptitle(result.config.name)
        fig.tight_layout()
    return fig
