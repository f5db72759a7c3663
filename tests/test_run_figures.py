"""Figures people read: every axis carries the unit declared for its column, and legends sit where they
cover no line, however many labs there are."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import labrace
from labrace.simulation.columns import LAB_STEP, MARKET_STEP
from labrace.simulation.figures import LAB_FIGURES, PRICE_LABEL, draw_lab_column, draw_price, theme
from scenarios.loader import config_from_dict


@pytest.fixture(scope="module")
def crowd():
    labs = [{"name": f"lab{k}", "compute0": 50.0 + 10 * k, "policy": "constant"} for k in range(6)]
    return labrace.run(config_from_dict({"horizon": 1.0, "labs": labs}))


def test_every_axis_names_its_unit():
    units = {c.name: c.unit for c in (*LAB_STEP, *MARKET_STEP)}
    for _stem, column, label, _log in LAB_FIGURES:
        assert label.endswith(f"({units[column]})")
    assert PRICE_LABEL.endswith("(revenue units / token)")


@pytest.mark.parametrize("stem, column, label, log", LAB_FIGURES, ids=[f[0] for f in LAB_FIGURES])
def test_a_legend_of_many_labs_sits_outside_the_axes(crowd, stem, column, label, log):
    with theme():
        fig = Figure(figsize=(7, 4))
        ax = fig.subplots()
        draw_lab_column(ax, crowd, column, label, log, legend=True)
        fig.tight_layout()
        renderer = FigureCanvasAgg(fig).get_renderer()
        legend = ax.get_legend().get_window_extent(renderer)
        assert legend.x0 >= ax.get_window_extent(renderer).x1
        assert len(ax.get_legend().get_texts()) == 6
        assert ax.get_xlabel() == "t (years)"


def test_the_overview_has_one_legend_in_the_empty_cell(crowd):
    fig = crowd.plot()
    assert not any(ax.get_legend() for ax in fig.axes)
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 6
    renderer = FigureCanvasAgg(fig).get_renderer()
    box = fig.legends[0].get_window_extent(renderer)
    for ax in fig.axes:
        if ax.get_visible():
            assert not box.overlaps(ax.get_window_extent(renderer))
    with theme():
        ax = Figure().subplots()
        draw_price(ax, crowd)
        assert ax.get_ylabel() == PRICE_LABEL
