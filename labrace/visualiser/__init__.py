"""The browser visualiser (``labrace viz``): settings as pure config edits, charts, and the page."""
