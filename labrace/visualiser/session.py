"""One browser session's state and the only ways it changes: configure, load, reset, advance.

The configuration, the model built from it, the loaded scenario's description, whether the model is
playing, and a frame counter that tells the views to redraw all live here as reactive values. Every
action that replaces the model goes through :meth:`Session.configure`, so Reset, a sidebar edit and a
loaded file all build the model from the same configuration the sidebar shows, and stepping goes
through :meth:`Session.advance`, which never steps a model that has reached its horizon. Play steps from a
worker thread, so a lock makes "is this still the shown model?" and the step one action: a step of the
model being replaced cannot land on the fresh one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import solara

from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from scenarios.loader import Scenario


def advance(model: RaceModel, steps: int) -> int:
    """Step ``model`` up to ``steps`` times, stopping at its horizon; returns the steps taken."""
    taken = 0
    while taken < steps and model.running:
        model.step()
        taken += 1
    return taken


def simulated_time(model: RaceModel) -> str:
    """Where the model is, in the simulated years the charts use (and the step count beside it)."""
    config = model.config
    return f"t = {model.t:.2f} of {config.horizon:g} years (step {model.steps} of {config.steps})"


@dataclass(frozen=True)
class Session:
    """The reactive state of one page; create it with :meth:`start` inside the page (never at module level)."""

    config: solara.Reactive[RaceConfig]
    model: solara.Reactive[RaceModel]
    description: solara.Reactive[str]
    playing: solara.Reactive[bool]
    frame: solara.Reactive[int]
    swap: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @classmethod
    def start(cls, scenario: Scenario) -> Session:
        return cls(config=solara.reactive(scenario.config), model=solara.reactive(RaceModel(scenario.config)),
                   description=solara.reactive(scenario.description.strip()),
                   playing=solara.reactive(False), frame=solara.reactive(0))

    def configure(self, config: RaceConfig) -> None:
        """Stop playing and show a fresh model of ``config``."""
        model = RaceModel(config)
        self.playing.set(False)
        with self.swap:
            self.config.set(config)
            self.model.set(model)
        self.redraw()

    def load(self, scenario: Scenario) -> None:
        """Show a freshly loaded scenario, with its description."""
        self.description.set(scenario.description.strip())
        self.configure(scenario.config)

    def reset(self) -> None:
        """Rebuild the model from the settings the sidebar shows now."""
        self.configure(self.config.value)

    def advance(self, model: RaceModel, steps: int) -> int:
        """Step ``model`` up to ``steps`` times (never past its horizon) and redraw, if it is still shown."""
        with self.swap:
            if self.model.value is not model:
                return 0
            taken = advance(model, steps)
        if not model.running:
            self.playing.set(False)
        self.redraw()
        return taken

    def redraw(self) -> None:
        self.frame.set(self.frame.value + 1)
