"""The panels of the page's main area: one function of the model per panel, handed to Mesa's SolaraViz.

SolaraViz lays the panels out in its draggable grid and redraws each one after every update. A panel fills
its grid cell (``CELL_STYLE``), and its charts take the cell's width, so they shrink and grow with the
window instead of being clipped. The first panel tells where the model is in simulated years: SolaraViz's
own "Time:" line shows Mesa's clock, which counts steps (see :func:`session.simulated_time`).

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
from labrace.visualiser.session import simulated_time

View = Callable[[RaceModel], solara.Element]
CELL_STYLE = "min-width: 0; width: 100%"


def chart_element(chart: alt.TopLevelMixin) -> solara.Element:
    """The Vega-Lite widget of ``chart``, built without touching Altair's global renderer."""
    return solara.widgets.VegaLite.element(spec=chart.to_dict())


def cell(*children: solara.Element) -> solara.Element:
    """A panel's box: as wide as its grid cell and no wider."""
    return solara.v.Html(tag="div", class_="labrace-cell", style_=CELL_STYLE, children=list(children))


def _figure(make: Callable[[RaceModel], alt.TopLevelMixin]) -> View:
    def view(model: RaceModel) -> solara.Element:
        return cell(chart_element(make(model)))

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
    return cell(main)


def plan_view(model: RaceModel) -> solara.Element:
    """Planned vs actual alpha, or a note when no lab plans."""
    if not charts.planning_labs(model):
        return cell(solara.Info("No lab with a planning policy has made a plan yet "
                                "(give a lab the 'pontryagin' policy and step the model)."))
    return cell(chart_element(charts.plan_chart(model)))


def profit_view(model: RaceModel) -> solara.Element:
    """Profit rate per lab when compute has a price, or a note saying how to give it one."""
    if not model.market_params.costs:
        return cell(solara.Info("Compute is free in this scenario: profit equals revenue "
                                "(set [market] compute_price > 0 to charge for it)."))
    return cell(chart_element(charts.profit_chart(model)))


VIEWS: list[View] = [
    _figure(charts.alpha_chart),
    _figure(charts.capability_chart),
    _figure(charts.share_chart),
    _figure(charts.price_chart),
    _figure(charts.npv_chart),
    plan_view,
    profit_view,
    leaderboard_view,
]


def overlap_note(groups: list[list[str]]) -> str:
    """What to tell the reader when labs are identical: their curves coincide, told apart by dashes."""
    sets = "; ".join(", ".join(names) for names in groups)
    return (f"Identical settings: {sets}. Their curves coincide; each lab has its own dash pattern, "
            "and the share chart stacks them.")


def status_view(description: str) -> View:
    """The scenario's name and description, where the model is in simulated years, and notes."""
    def view(model: RaceModel) -> solara.Element:
        config = model.config
        with solara.Column(gap="4px", style={"padding": "8px"}) as main:
            solara.Text(config.name, style={"font-size": "1.25rem", "font-weight": "500"})
            if description:
                solara.v.Html(tag="p", style_="margin: 0", children=[description])
            solara.Text(simulated_time(model), classes=["labrace-time"])
            if not model.running:
                solara.Text("Reached the horizon: Reset to run again.")
            groups = charts.identical_labs(config)
            if groups:
                solara.Info(overlap_note(groups), dense=True)
        return cell(main)

    return view


def components(description: str) -> list[tuple[View, int]]:
    """SolaraViz's components: every panel, all on its first page."""
    return [(view, 0) for view in [status_view(description), *VIEWS]]
