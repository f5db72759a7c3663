"""One browser session's state: the run shown (configuration, description, model) and how Play goes.

Mesa's SolaraViz steps, plays and resets the model; the sidebar's settings replace the whole run. Each run
keeps its model in a reactive of its own, handed to SolaraViz, whose Reset puts the rebuilt model there.
A replaced run is retired: SolaraViz's Play loop runs in a worker thread that is not stopped when its
controls unmount, and it steps whatever model its reactive holds until that model's ``running`` is False.
Because the new run has a new reactive, that thread can only step the old model, and retiring the old
model (``running = False``) makes it stop at its next step.

Play's speed (milliseconds between updates, steps per update, worker threads) lives here rather than in
SolaraViz, so that it survives the remount of SolaraViz that every new run causes.
"""

from __future__ import annotations

from dataclasses import dataclass

import solara

from market.config import RaceConfig
from labrace.simulation.model import RaceModel
from scenarios.loader import Scenario

PLAY_INTERVAL_MS = 100
RENDER_INTERVAL = 1


def simulated_time(model: RaceModel) -> str:
    """Where the model is, in the simulated years the charts use, and the steps it has taken.

    The steps are the recorded ones: Mesa's own counters (``steps``, ``time``) also count the calls that
    SolaraViz makes after the horizon, which leave the model unchanged.
    """
    config = model.config
    return f"t = {model.t:.2f} of {config.horizon:g} years (step {model.recorder.size} of {config.steps})"


@dataclass(frozen=True)
class Run:
    """What the page shows: a configuration, its scenario's description and the model built from it.

    ``number`` tells runs apart, so the page can remount SolaraViz (and with it Mesa's model parameters and
    its Play state) for every new run.
    """

    config: RaceConfig
    description: str
    model: solara.Reactive[RaceModel]
    number: int = 0

    @classmethod
    def of(cls, config: RaceConfig, description: str, number: int = 0) -> Run:
        return cls(config, description.strip(), solara.reactive(RaceModel(config)), number)

    def retire(self) -> None:
        """Stop the model, so that a Play loop still stepping it ends."""
        self.model.value.running = False


@dataclass(frozen=True)
class Session:
    """The reactive state of one page; create it with :meth:`start` inside the page (never at module level)."""

    run: solara.Reactive[Run]
    play_interval: solara.Reactive[int]
    render_interval: solara.Reactive[int]
    use_threads: solara.Reactive[bool]

    @classmethod
    def start(cls, scenario: Scenario) -> Session:
        return cls(run=solara.reactive(Run.of(scenario.config, scenario.description)),
                   play_interval=solara.reactive(PLAY_INTERVAL_MS),
                   render_interval=solara.reactive(RENDER_INTERVAL), use_threads=solara.reactive(False))

    @property
    def config(self) -> RaceConfig:
        return self.run.value.config

    @property
    def model(self) -> solara.Reactive[RaceModel]:
        """The shown run's model (SolaraViz's Reset replaces its value)."""
        return self.run.value.model

    def _show(self, config: RaceConfig, description: str) -> None:
        old = self.run.value
        self.run.set(Run.of(config, description, old.number + 1))
        old.retire()

    def configure(self, config: RaceConfig) -> None:
        """Show a fresh model of ``config``, with the current description."""
        self._show(config, self.run.value.description)

    def load(self, scenario: Scenario) -> None:
        """Show a freshly loaded scenario, with its description."""
        self._show(scenario.config, scenario.description)
