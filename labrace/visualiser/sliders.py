"""A slider that shows its value and reports it only when the user lets go.

Every accepted settings change builds a new model (and a planning policy solves its control problem), so
a slider must not report each value it passes through while being dragged. Vuetify's slider emits
``input`` continuously and ``change`` once on release (and once per key press or track click); this
slider follows ``input`` only to show the value beside the track and reports ``change``.
"""

from __future__ import annotations

from typing import Callable

import solara


def value_text(value: float, step: float) -> str:
    """The value with as many decimals as the slider's step has."""
    decimals = 0 if float(step).is_integer() else len(f"{step:g}".split(".")[-1])
    return f"{value:.{decimals}f}"


@solara.component
def ReleaseSlider(label: str, value: float, low: float, high: float, step: float,
                  on_value: Callable[[float], None], integer: bool = False) -> solara.Element:
    """``label`` with a track and the current value; ``on_value`` receives the value on release."""
    shown, set_shown = solara.use_state_or_update(value)
    cast = int if integer else float

    def release(_widget: object, _event: str, released: float) -> None:
        set_shown(cast(released))
        if cast(released) != value:
            on_value(cast(released))

    with solara.Row(style={"align-items": "center"}, gap="8px") as row:
        slider = solara.v.Slider(label=label, v_model=shown, on_v_model=lambda v: set_shown(cast(v)), min=low,
                                 max=high, step=step, thumb_label=True, dense=True, hide_details=True,
                                 style_="flex-grow: 1")
        solara.v.use_event(slider, "change", release)
        solara.v.Html(tag="span", class_="labrace-slider-value", style_="min-width: 3em; text-align: right",
                      children=[value_text(shown, step)])
    return row
