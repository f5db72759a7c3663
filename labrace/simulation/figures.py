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

from labrace.simulation.columns import LAB_STEP, MARKET_STEP, axis_label
from labrace.simulation.run import RunResult

# (file stem, column of the labs table, axis label, log scale?); units come from the column declarations
LAB_FIGURES = (
    ("alpha", "alpha", axis_label(LAB_STEP, "alpha", "training share alpha"), False),
    ("capability", "capability", axis_label(LAB_STEP, "capability", "capability M"), True),
    ("share", "share", axis_label(LAB_STEP, "share", "market share s"), False),
    ("npv", "npv", axis_label(LAB_STEP, "npv", "cumulative NPV"), False),
)
PRICE_LABEL = axis_label(MARKET_STEP, "price", "price per token P")
TIME_LABEL = axis_label(MARKET_STEP, "t", "t")
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
    ax.set_xlabel(TIME_LABEL)
    if legend:
        # outside the axes, to the right: inside, a legend of four or more labs covers their lines
        sns.move_legend(ax, "upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="lab")


def draw_price(ax: Axes, result: RunResult) -> None:
    sns.lineplot(data=result.market, x="t", y="price", estimator=None, ax=ax)
    ax.set_ylabel(PRICE_LABEL)
    ax.set_xlabel(TIME_LABEL)


def _legend(result: RunResult) -> bool:
    return result.labs["lab"].nunique() <= LEGEND_MAX_LABS


def _save(fig: Figure, ax: Axes, title: str, path: Path) -> None:
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")  # "tight" keeps the outside legend in the picture


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
        legend = _legend(result)
        for k, (_stem, column, label, log) in enumerate(LAB_FIGURES):
            draw_lab_column(axes[k], result, column, label, log, legend=legend and k == 0)
        draw_price(axes[len(LAB_FIGURES)], result)
        for ax in axes[len(LAB_FIGURES) + 1:]:
            ax.set_visible(False)
        fig.suptitle(result.config.name)
        if legend:
            first = axes[0].get_legend()
            handles, labels = first.legend_handles, [text.get_text() for text in first.get_texts()]
            first.remove()
        fig.tight_layout()
        if legend:
            # one legend for every panel, in the empty sixth cell, where it covers no line
            spare = axes[len(LAB_FIGURES) + 1].get_position()
            fig.legend(handles, labels, title="lab", loc="center", frameon=False, ncols=2,
                       bbox_to_anchor=(spare.x0 + spare.width / 2, spare.y0 + spare.height / 2))
    return fig
