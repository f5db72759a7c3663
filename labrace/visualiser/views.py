"""The panels of the page's main area: one function of the model per panel, laid out in a responsive grid.

Charts go to the browser as Vega-Lite specs built with ``chart.to_dict()``. Solara's ``FigureAltair``
would instead switch Altair's renderer with ``alt.renderers.enable``, a process-wide setting that is not
safe while two sessions draw at once (one session's draw would see the other's renderer and fail).
"""

from __future__ import annotations

import math
from typing import Callable

import altair as alt
import solara

from labrace.simulation.model import RaceModel
from labrace.visualiser import charts
from labrace.visualiser.session import Session

View = Callable[[RaceModel], solara.Element]
GRID_STYLE = ("display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr)); "
              "gap: 12px; width: 100%")
CELL_STYLE = "min-width: 0"
WIDE_CELL_STYLE = "min-width: 0; grid-column: 1 / -1"


def chart_element(chart: alt.TopLevelMixin) -> solara.Element:
    """The Vega-Lite widget of ``chart``, built without touching Altair's global renderer."""
    return solara.widgets.VegaLite.element(spec=chart.to_dict())


def _figure(make: Callable[[RaceModel], alt.TopLevelMixin]) -> View:
    def view(model: RaceModel) -> solara.Element:
        return chart_element(make(model))

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
    return chart_element(charts.plan_chart(model))


VIEWS: list[View] = [
    _figure(charts.alpha_chart),
    _figure(charts.capability_chart),
    _figure(charts.share_chart),
    _figure(charts.price_chart),
    _figure(charts.npv_chart),
    plan_view,
]
WIDE_VIEWS: list[View] = [leaderboard_view]


def overlap_note(groups: list[list[str]]) -> str:
    """What to tell the reader when labs are identical: their curves coincide, told apart by dashes."""
    sets = "; ".join(", ".join(names) for names in groups)
    return (f"Identical settings: {sets}. Their curves coincide; each lab has its own dash pattern, "
            "and the share chart stacks them.")


@solara.component
def ScenarioHeader(session: Session) -> None:
    """The scenario's name and description, and a note when some labs are identical."""
    config = session.config.value
    with solara.Column(gap="4px", style={"padding": "0 4px"}):
        solara.Text(config.name, style={"font-size": "1.25rem", "font-weight": "500"})
        if session.description.value:
            solara.v.Html(tag="p", style_="margin: 0", children=[session.description.value])
        groups = charts.identical_labs(config)
        if groups:
            solara.Info(overlap_note(groups), dense=True)


@solara.component
def ViewCell(view: View, model: RaceModel, frame: int, style: str) -> None:
    """One grid cell; ``frame`` changes after every step, which is what makes the cell redraw."""
    with solara.v.Html(tag="div", style_=style):
        view(model)


@solara.component
def ViewGrid(session: Session) -> None:
    """Every view of the shown model, in as many columns as the window has room for."""
    frame = session.frame.value
    model = session.model.value
    with solara.v.Html(tag="div", class_="labrace-views", style_=GRID_STYLE):
        for view in VIEWS:
            ViewCell(view, model, frame, CELL_STYLE)
        for view in WIDE_VIEWS:
            ViewCell(view, model, frame, WIDE_CELL_STYLE)
