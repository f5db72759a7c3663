"""Describe the machine a benchmark ran on, read at run time (never hard-coded)."""

from __future__ import annotations

import os
import platform
import sys
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version


def _cpu_model() -> str:
    with suppress(OSError):  # no /proc (not Linux): fall back to what platform knows
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / 2 ** 30, 1)


def _os_name() -> str:
    with suppress(OSError):  # no os-release (not a Linux distribution): fall back to platform
        with open("/etc/os-release", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    return f"{platform.system()} {platform.release()}"


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def describe() -> dict[str, object]:
    """CPU model, usable cores, RAM, OS, kernel, Python and the numeric packages' versions."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "ram_gib": _ram_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "numpy": _package("numpy"),
        "scipy": _package("scipy"),
        "numba": _package("numba"),
        "mesa": _package("mesa"),
        "labrace": _package("labrace"),
    }
