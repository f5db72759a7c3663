"""The installed labrace version, recorded in every run's provenance and result key."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def labrace_version() -> str:
    """The version of the installed distribution (``0+unknown`` when running from an uninstalled tree)."""
    try:
        return version("labrace")
    except PackageNotFoundError:
        return "0+unknown"
