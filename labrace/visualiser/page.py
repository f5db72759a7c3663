"""The visualiser page: Mesa's SolaraViz over the shown run, with the settings cards below its controls.

SolaraViz provides the frame: the app bar, the Reset / Play / Step controls with the play interval and the
render interval (steps per update), and the grid of panels from :mod:`labrace.visualiser.views`. Its
model parameters are one fixed parameter, the run's ``RaceConfig``, so its Reset rebuilds
``RaceModel(config=...)`` from the settings the sidebar shows. SolaraViz reads its model parameters only
when its cards mount, and its controls remember that a model finished, so every new run (any accepted
settings change or loaded scenario) needs fresh cards. A key on SolaraViz does not give them: its cards
are carried into the app layout's sidebar, where Solara keeps a component that stays in the same place
even if its source remounted. So for one render after a new run the dashboard leaves SolaraViz out, which
takes its cards down, and then puts it back; the settings panel has a key of its own, so it keeps its
state (open lab panels, the path typed) while the sidebar's content shifts.

What SolaraViz cannot be told, and the page therefore leaves to others: its steps per update do not stop
at the horizon (the model's ``step`` does nothing once it is finished), and its "Time:" line shows Mesa's
clock, which also counts those calls (the status panel gives the simulated years and the steps taken).

State lives in a :class:`Session` owned by whoever renders the page, so each browser session has its own
model (``app.py``'s ``Page`` creates one per visitor) and a notebook or a test can keep a handle on it.
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from labrace.visualiser.controls import SettingsPanel
from labrace.visualiser.session import Session
from labrace.visualiser.sources import initial_scenario
from labrace.visualiser.views import components


# How far below the dashboard SolaraViz adds its sidebar: SolaraViz itself and the column it wraps its
# elements in (the settings go one level deeper, see SettingsSidebar).
SOLARAVIZ_SIDEBAR_DEPTH = 2


@solara.component
def SettingsSidebar(session: Session) -> None:
    """The settings cards, in the sidebar below SolaraViz's cards.

    Solara orders sidebar content by the depth in the component tree at which it is added, shallower first,
    and content of equal depth in the order it was added, so SolaraViz's cards, added again whenever it
    remounts, would drop below settings of the same depth. The dashboard renders this component through
    :func:`Nested`, one level deeper than SolaraViz adds its cards, so Mesa's controls stay on top.
    """
    with solara.Sidebar():
        SettingsPanel(session).key("labrace-settings")


@solara.component
def Nested(child: solara.Element, depth: int) -> solara.Element:
    """``child``, rendered ``depth`` components below the caller."""
    return Nested(child, depth - 1) if depth > 1 else child


@solara.component
def RaceDashboard(session: Session) -> None:
    """The whole page for one session; ``mounted`` lags one render behind a new run (see the module)."""
    run = session.run.value
    mounted, set_mounted = solara.use_state(run.number)
    solara.use_effect(lambda: set_mounted(run.number), [run.number])
    title = f"labrace: {run.config.name}"
    solara.Title(title)
    if mounted == run.number:
        SolaraViz(run.model, components=components(run.description), model_params={"config": run.config},
                  name=title, play_interval=session.play_interval, render_interval=session.render_interval,
                  use_threads=session.use_threads)
    Nested(SettingsSidebar(session), SOLARAVIZ_SIDEBAR_DEPTH)


@solara.component
def Page() -> None:
    """One browser session: its own state, created by a hook (never at module level)."""
    session = solara.use_memo(lambda: Session.start(initial_scenario()), [])
    RaceDashboard(session)
