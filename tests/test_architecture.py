"""The import graph of labrace's packages is one-way: labs -> market -> policies -> scenarios -> labrace.

Each package may import only from packages at or below its own layer, so the core can be read, tested and
reused without the application, and no cycle can creep in. Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"labs": 0, "market": 1, "policies": 2, "scenarios": 3, "labrace": 4}


def imported_packages(path: Path) -> set[str]:
    """Top-level project packages that the module at ``path`` imports anywhere in its body."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(LAYERS)
    return found


def modules() -> list[Path]:
    return sorted(p for package in LAYERS for p in (ROOT / package).rglob("*.py"))


def test_the_layers_hold_modules():
    assert all((ROOT / package).is_dir() for package in LAYERS)
    assert len(modules()) > 40


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_its_own_layer_or_lower(path: Path):
    own = path.relative_to(ROOT).parts[0]
    above = {package for package in imported_packages(path) if LAYERS[package] > LAYERS[own]}
    assert not above, f"{path.relative_to(ROOT)} ({own}) imports {sorted(above)} from a higher layer"


def test_the_checker_sees_an_upward_import(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from labrace.simulation.model import RaceModel\n    import market.params\n")
    assert imported_packages(module) == {"labrace", "market"}
