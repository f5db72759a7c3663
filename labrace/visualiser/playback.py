"""Reset, Play/Pause and Step, with the simulated time, at the top of the sidebar.

The page runs its own controls rather than Mesa's SolaraViz ones: those rebuild the model from parameters
that SolaraViz fills only when it is first mounted (so Reset after a sidebar change called
``RaceModel()`` without its configuration), step a fixed number of times even past the model's horizon,
and report Mesa's step counter rather than the simulated years the charts use. Here every action goes
through the :class:`Session`, which builds models from the sidebar's configuration and never steps a
finished model.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import solara

from labrace.visualiser.session import Session, simulated_time
from labrace.visualiser.sliders import ReleaseSlider

DEFAULT_DELAY_MS = 150
MAX_DELAY_MS = 1000
MAX_STEPS_PER_UPDATE = 20


def play_loop(session: Session, steps_per_update: int, delay_ms: int, cancel: threading.Event,
              report: Callable[[str], None]) -> None:
    """Advance the model shown when play started until the horizon, a pause, a reset or a new model.

    It runs in a worker thread, where an exception would otherwise vanish: a failing step stops play and
    is reported on the page.
    """
    model = session.model.value
    try:
        while session.playing.value and model.running and not cancel.is_set():
            time.sleep(delay_ms / 1000)
            if not session.playing.value or cancel.is_set() or session.advance(model, steps_per_update) == 0:
                return
    except Exception as error:  # noqa: BLE001 - any failure of a step is shown, not lost in the thread
        session.playing.set(False)
        report(f"step failed: {error}")


@solara.component
def RunControls(session: Session) -> None:
    """The run controls and where the model is; the sliders set how fast Play goes."""
    session.frame.use_value()  # the model changes in place when it steps: redraw with every frame
    model = session.model.value
    playing = session.playing.value
    steps_per_update, set_steps_per_update = solara.use_state(1)
    delay_ms, set_delay_ms = solara.use_state(DEFAULT_DELAY_MS)
    problem = solara.use_reactive("")

    def play() -> Callable[[], None]:
        cancel = threading.Event()
        if playing:
            problem.set("")
            threading.Thread(target=play_loop, args=(session, steps_per_update, delay_ms, cancel, problem.set),
                             daemon=True).start()
        return cancel.set

    def step() -> None:
        problem.set("")
        try:
            session.advance(model, steps_per_update)
        except Exception as error:  # noqa: BLE001 - shown like a failure during play
            problem.set(f"step failed: {error}")

    def reset() -> None:
        problem.set("")
        session.reset()

    solara.use_effect(play, [playing, model, steps_per_update, delay_ms])

    with solara.Card("Run", margin=0):
        solara.Text(simulated_time(model), classes=["labrace-time"])
        with solara.Row(justify="space-between"):
            solara.Button("Reset", on_click=reset, color="primary", outlined=True)
            solara.Button("Pause" if playing else "Play", on_click=lambda: session.playing.set(not playing),
                          color="primary", disabled=not model.running)
            solara.Button("Step", on_click=step, color="primary",
                          disabled=playing or not model.running)
        ReleaseSlider("steps per update", steps_per_update, 1, MAX_STEPS_PER_UPDATE, 1, set_steps_per_update,
                      integer=True)
        ReleaseSlider("delay between updates (ms)", delay_ms, 0, MAX_DELAY_MS, 10, set_delay_ms, integer=True)
        # messages come last, so that their appearing does not remount the sliders above
        if not model.running:
            solara.Text("Reached the horizon: Reset to run again.", style={"font-size": "0.85rem"})
        if problem.value:
            solara.Error(problem.value, dense=True)
