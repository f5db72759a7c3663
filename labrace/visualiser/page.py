"""The visualiser page: the settings sidebar plus Mesa's SolaraViz over a :class:`RaceModel`.

State lives in two reactive values owned by whoever renders the page — the configuration and the model
built from it — so each browser session has its own model (``app.py`` creates them inside its ``Page``
component) and a notebook or a test can keep a handle on both. SolaraViz is keyed on the configuration:
when a setting changes it is mounted afresh with the new configuration as its fixed ``config``
parameter, so its Reset button rebuilds exactly the model the sidebar describes.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from labrace.visualiser.controls import SettingsPanel
from labrace.visualiser.settings import initial_config
from labrace.visualiser.views import VIEWS

PLAY_INTERVAL_MS = 150


@solara.component
def RaceDashboard(config: solara.Reactive[RaceConfig], model: solara.Reactive[RaceModel]) -> None:
    """Sidebar settings and SolaraViz; a new configuration replaces the model with a fresh one."""

    def on_config(new: RaceConfig) -> None:
        config.set(new)
        model.set(RaceModel(new))

    SolaraViz(model, components=list(VIEWS), model_params={"config": config.value},
              play_interval=PLAY_INTERVAL_MS, name=f"labrace: {config.value.name}").key(
        config.value.key())
    with solara.Sidebar():
        SettingsPanel(config, on_config)


@solara.component
def Page() -> None:
    """One browser session: its own configuration and model, created by hooks (never at module level)."""
    start = solara.use_memo(initial_config, [])
    config = solara.use_reactive(start)
    model = solara.use_reactive(solara.use_memo(lambda: RaceModel(start), []))
    RaceDashboard(config, model)
