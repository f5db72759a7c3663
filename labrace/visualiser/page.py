"""The visualiser page: run controls and settings in the sidebar, the scenario and its charts beside them.

State lives in a :class:`Session` owned by whoever renders the page, so each browser session has its own
model (``app.py``'s ``Page`` creates one per visitor) and a notebook or a test can keep a handle on it.
The run controls come first in the sidebar, so Step, Play and Reset are on screen without scrolling.
"""

from __future__ import annotations

import solara

from labrace.visualiser.controls import SettingsPanel
from labrace.visualiser.playback import RunControls
from labrace.visualiser.session import Session
from labrace.visualiser.sources import initial_scenario
from labrace.visualiser.views import ScenarioHeader, ViewGrid


@solara.component
def RaceDashboard(session: Session) -> None:
    """The whole page for one session."""
    solara.Title(f"labrace: {session.config.value.name}")
    with solara.AppBar():
        solara.AppBarTitle(f"labrace: {session.config.value.name}")
    with solara.Sidebar():
        with solara.Column(gap="12px"):
            RunControls(session)
            SettingsPanel(session)
    with solara.Column(gap="12px", style={"padding": "12px", "width": "100%"}):
        ScenarioHeader(session)
        ViewGrid(session)


@solara.component
def Page() -> None:
    """One browser session: its own state, created by a hook (never at module level)."""
    session = solara.use_memo(lambda: Session.start(initial_scenario()), [])
    RaceDashboard(session)
