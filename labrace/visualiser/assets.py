"""Where the visualiser's offline page assets live and whether they are all there.

Solara fetches its page JavaScript and CSS from a CDN through a caching proxy; offline, the page stays
blank unless the cache already holds every file. ``scripts/fetch_solara_assets.sh`` fills the cache from
the npm registry; this module only finds it and checks it, so ``labrace viz`` can refuse to start a server
that would serve a blank page.
"""

from __future__ import annotations

import os
from pathlib import Path

ASSETS_ENV = "LABRACE_SOLARA_ASSETS"
FETCH_SCRIPT = "scripts/fetch_solara_assets.sh"

# The npm packages (as <name>@<version> directories) solara 1.64.1 requests; same list as FETCH_SCRIPT.
ASSET_PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)


def repo_root() -> Path:
    """The checkout that holds ``app.py`` (the parent of the ``scenarios`` package)."""
    return Path(__file__).resolve().parents[2]


def default_cache_dir() -> Path:
    """``$LABRACE_SOLARA_ASSETS``, else ``.cache/solara-assets`` in the checkout (the fetch script's default)."""
    given = os.environ.get(ASSETS_ENV)
    return Path(given) if given else repo_root() / ".cache" / "solara-assets"


def missing_assets(cache: Path) -> list[str]:
    """The packages that are absent (or empty) in ``cache``."""
    return [name for name in ASSET_PACKAGES
            if not (cache / name).is_dir() or not any((cache / name).iterdir())]
