"""Altair charts and tables of a running :class:`RaceModel`, built only from what the model recorded.

The charts read the model's recorder (and, for planning policies, the plans they keep); they never step
or change the model. Every chart is drawn as SVG (``usermeta.embedOptions``) so that the browser test can
count what is plotted, and every per-lab chart uses the same lab -> colour and dash mapping so a lab keeps
its look from chart to chart; the dashes keep identical labs, whose lines coincide, apart. Charts take
the width of their container, so they shrink and grow with the window instead of being clipped.
"""

from __future__ import annotations

from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd

from market.config import RaceConfig
from labrace.simulation.model import RaceModel

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")
DASHES = ((1, 0), (7, 4), (2, 3), (10, 3, 2, 3), (4, 2), (12, 4), (1, 4), (6, 2, 2, 2))
WIDTH = "container"
HEIGHT = 240
PLAN_POINTS = 200


def _lab_colour(model: RaceModel) -> alt.Color:
    names = list(model.state.names)
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    return alt.Color("lab:N", scale=alt.Scale(domain=names, range=palette), title="lab")


def _lab_dash(model: RaceModel) -> alt.StrokeDash:
    """A dash pattern per lab, in the colour legend (same field and title), so equal lines stay visible."""
    names = list(model.state.names)
    dashes = [list(DASHES[i % len(DASHES)]) for i in range(len(names))]
    return alt.StrokeDash("lab:N", scale=alt.Scale(domain=names, range=dashes), title="lab")


def identical_labs(config: RaceConfig) -> list[list[str]]:
    """Groups of two or more labs that differ only in name: their curves lie on top of each other."""
    groups: dict[object, list[str]] = {}
    for lab in config.labs:
        groups.setdefault(replace(lab, name=""), []).append(lab.name)
    return [names for names in groups.values() if len(names) > 1]


def _finish(chart: alt.Chart, title: str) -> alt.Chart:
    """Common size, title and SVG rendering."""
    return chart.properties(width=WIDTH, height=HEIGHT, title=title,
                            usermeta={"embedOptions": {"renderer": "svg", "actions": False}})


def _time_axis(model: RaceModel) -> alt.X:
    return alt.X("t:Q", title="time (years)", scale=alt.Scale(domain=[0.0, model.config.horizon]))


def lab_history(model: RaceModel) -> pd.DataFrame:
    """Long table of every recorded step and lab (empty before the first step)."""
    return model.labs_frame()


def lab_line_chart(model: RaceModel, column: str, title: str, axis_title: str, log: bool = False) -> alt.Chart:
    """One line per lab of a recorded per-lab variable against time."""
    frame = lab_history(model)[["t", "lab", column]]
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=_time_axis(model),
        y=alt.Y(f"{column}:Q", title=axis_title, scale=scale),
        color=_lab_colour(model),
        strokeDash=_lab_dash(model),
        tooltip=["lab:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip(f"{column}:Q", format=".4g")],
    )
    return _finish(chart, title)


def alpha_chart(model: RaceModel) -> alt.Chart:
    chart = lab_line_chart(model, "alpha", "Training share alpha", "alpha")
    return chart.encode(y=alt.Y("alpha:Q", title="alpha", scale=alt.Scale(domain=[0.0, 1.0])))


def capability_chart(model: RaceModel) -> alt.Chart:
    return lab_line_chart(model, "capability", "Capability M", "M (log scale)", log=True)


def npv_chart(model: RaceModel) -> alt.Chart:
    """Discounted revenue so far; with costs on (docs/model.md §7), discounted profit instead."""
    if model.market_params.costs:
        return lab_line_chart(model, "npv_profit", "Cumulative discounted profit (NPV of revenue minus compute bill)",
                              "NPV of profit")
    return lab_line_chart(model, "npv", "Cumulative discounted revenue (NPV)", "NPV")


def profit_chart(model: RaceModel) -> alt.Chart:
    """Profit rate against time (revenue minus the compute bill): shown when compute has a price."""
    return lab_line_chart(model, "profit", "Profit rate (revenue minus compute bill)", "profit / year")


def share_chart(model: RaceModel) -> alt.Chart:
    """Market shares stacked to 1: who the revenue goes to at each step."""
    frame = lab_history(model)[["t", "lab", "share"]]
    chart = alt.Chart(frame).mark_area(opacity=0.85).encode(
        x=_time_axis(model),
        y=alt.Y("share:Q", stack="normalize", title="share of revenue", axis=alt.Axis(format="%")),
        color=_lab_colour(model),
        tooltip=["lab:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("share:Q", format=".1%")],
    )
    return _finish(chart, "Market share")


def price_chart(model: RaceModel) -> alt.Chart:
    frame = model.market_frame()[["t", "price"]]
    chart = alt.Chart(frame).mark_line(color="#333333", point=alt.OverlayMarkDef(size=12)).encode(
        x=_time_axis(model),
        y=alt.Y("price:Q", title="price per token"),
        tooltip=[alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("price:Q", format=".4g")],
    )
    return _finish(chart, "Market price")


def planning_labs(model: RaceModel) -> dict[int, object]:
    """Lab index -> its current plan, for labs whose policy keeps plans and has made one."""
    out: dict[int, object] = {}
    for policy, _labs in model.policy_groups:
        plans = getattr(policy, "plans", None)
        if type(policy).plans and isinstance(plans, dict):
            out.update(plans)
    return dict(sorted(out.items()))


def plan_frame(model: RaceModel) -> pd.DataFrame:
    """Each planning lab's current plan of alpha next to the alpha it actually chose so far."""
    names = model.state.names
    history = lab_history(model)
    parts = []
    for index, plan in planning_labs(model).items():
        pick = np.unique(np.linspace(0, plan.t.size - 1, min(plan.t.size, PLAN_POINTS)).round().astype(int))
        parts.append(pd.DataFrame({"t": plan.t[pick], "alpha": plan.alpha[pick], "lab": names[index],
                                   "series": f"plan (t={plan.t[0]:.1f})"}))
        done = history[history["lab"] == names[index]]
        parts.append(pd.DataFrame({"t": done["t"].to_numpy(), "alpha": done["alpha"].to_numpy(),
                                   "lab": names[index], "series": "actual"}))
    if not parts:
        return pd.DataFrame({"t": [], "alpha": [], "lab": [], "series": []})
    return pd.concat(parts, ignore_index=True)


def plan_chart(model: RaceModel) -> alt.Chart:
    """Planned alpha (dashed) against what the lab did (solid)."""
    chart = alt.Chart(plan_frame(model)).mark_line().encode(
        x=_time_axis(model),
        y=alt.Y("alpha:Q", title="alpha", scale=alt.Scale(domain=[0.0, 1.0])),
        color=_lab_colour(model),
        strokeDash=alt.StrokeDash("series:N", title="series", legend=alt.Legend(labelLimit=90)),
        detail="series:N",
        tooltip=["lab:N", "series:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("alpha:Q", format=".3f")],
    )
    return _finish(chart, "Pontryagin plan vs actual alpha")


def leaderboard(model: RaceModel) -> pd.DataFrame:
    """Labs ranked by discounted revenue so far (profit, with costs on), with their latest capability, alpha
    and share."""
    s = model.state
    k = model.recorder.size
    last = {c: (model.recorder.labs[c][k - 1] if k else np.full(s.n, np.nan)) for c in ("alpha", "share")}
    frame = pd.DataFrame({
        "lab": s.names,
        "policy": [spec.policy.label() for spec in model.config.labs],
        "NPV": s.npv_profit if model.market_params.costs else s.npv,
        "capability": s.capability,
        "alpha": last["alpha"],
        "share": last["share"],
    }).sort_values("NPV", ascending=False, kind="stable")
    frame.insert(0, "rank", np.arange(1, s.n + 1))
    return frame.reset_index(drop=True)
