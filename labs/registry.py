"""Registries filled by discovery: every module of a package contributes the classes it defines.

Capability laws and demand forms are extension points whose registry is their package: adding one is
adding a module, with nothing else to edit. A name defined twice is an error, not a silent override.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Iterable, TypeVar

T = TypeVar("T")


def discover(package: str, path: Iterable[str], base: type[T]) -> dict[str, T]:
    """One instance of every named subclass of ``base`` defined in the modules of ``package``, by name.

    Modules are visited in name order, so the registry's order does not depend on the file system.
    """
    found: dict[str, T] = {}
    for module_info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__ and getattr(cls, "name", ""):
                if cls.name in found:
                    raise ValueError(f"{base.__name__} {cls.name!r} is defined twice")
                found[cls.name] = cls()
    return found
