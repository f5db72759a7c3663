"""labrace in the browser: ``labrace viz`` (or ``solara run app.py``) serves this page.

Every browser session gets its own configuration and model: ``Page`` creates them with hooks, never at
module level (a module-level model would be shared by every visitor). The starting scenario is the one
named by ``LABRACE_VIZ_SCENARIO`` (set by ``labrace viz SCENARIO``), else the shipped duopoly.
"""

from labrace.visualiser.page import Page

__all__ = ["Page"]
