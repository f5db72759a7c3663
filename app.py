"""labrace in the browser: ``labrace viz`` (or ``solara run app.py``) serves this page.

Every browser session gets its own configuration and model: they are created by hooks inside ``Page``,
never at module level (a module-level model would be shared by every visitor). The starting scenario is
the one named by ``LABRACE_VIZ_SCENARIO`` (set by ``labrace viz SCENARIO``), else the shipped duopoly.
"""

import solara

from market.model import RaceModel
from scenarios.viz.page import RaceDashboard
from scenarios.viz.settings import initial_config


@solara.component
def Page() -> None:
    start = solara.use_memo(initial_config, [])
    config = solara.use_reactive(start)
    model = solara.use_reactive(solara.use_memo(lambda: RaceModel(start), []))
    RaceDashboard(config, model)
