"""The panels SolaraViz shows next to the controls: one function of the model per panel.

Mesa's SolaraViz re-renders each plain function it is given after every step, so these are plain
functions (not components) that turn the model's records into a chart or a table.
"""

from __future__ import annotations

import math
from typing import Callable

import solara

from labrace.simulation.model import RaceModel
from labrace.visualiser import charts

View = Callable[[RaceModel], solara.Element]


def _figure(make: Callable[[RaceModel], object]) -> View:
    def view(model: RaceModel) -> solara.Element:
        return solara.FigureAltair(make(model))

    view.__name__ = make.__name__.replace("_chart", "_view")
    return view


CELL_FORMATS = {"NPV": "{:.4g}", "capability": "{:.4g}", "alpha": "{:.3f}", "share": "{:.1%}"}


def _cell(column: str, value: object) -> str:
    """Table text of one value; a dash before the first step, when nothing is recorded yet."""
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return CELL_FORMATS[column].format(value) if column in CELL_FORMATS else str(value)


def leaderboard_view(model: RaceModel) -> solara.Element:
    """Labs ranked by NPV so far, with the time reached."""
    table = charts.leaderboard(model)
    head = solara.v.Html(tag="thead", children=[solara.v.Html(tag="tr", children=[
        solara.v.Html(tag="th", children=[str(c)]) for c in table.columns])])
    rows = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="td", children=[_cell(c, v)])
                                              for c, v in zip(table.columns, record)])
            for record in table.itertuples(index=False)]
    with solara.Column(style={"padding": "8px"}) as main:
        solara.Text(f"Leader board at t = {model.t:.2f} of {model.config.horizon:g} years",
                    style={"font-weight": "bold"})
        solara.v.SimpleTable(dense=True, children=[head, solara.v.Html(tag="tbody", children=rows)])
    return main


def plan_view(model: RaceModel) -> solara.Element:
    """Planned vs actual alpha, or a note when no lab plans."""
    if not charts.planning_labs(model):
        return solara.Info("No lab with a planning policy has made a plan yet "
                           "(give a lab the 'pontryagin' policy and step the model).")
    return solara.FigureAltair(charts.plan_chart(model))


VIEWS: list[View] = [
    _figure(charts.alpha_chart),
    _figure(charts.capability_chart),
    _figure(charts.share_chart),
    _figure(charts.price_chart),
    _figure(charts.npv_chart),
    plan_view,
    leaderboard_view,
]
