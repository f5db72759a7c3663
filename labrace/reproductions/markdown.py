"""Small helpers shared by the reports that set a source's numbers beside labrace's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def sci(x: float, digits: int = 3) -> str:
    """``x`` in scientific notation with ``digits`` significant digits, e.g. ``5.76e+23``."""
    return f"{x:.{digits - 1}e}"


def billions(x: float) -> str:
    """A count in billions (``70.0B``) or, from a thousand billion, in trillions (``1.40T``)."""
    return f"{x / 1e12:.2f}T" if x >= 1e12 else f"{x / 1e9:.1f}B"


def write_outputs(out: Path, summary: dict[str, Any], report: str) -> None:
    """``summary.json`` and ``report.md`` into ``out``."""
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float))
    (out / "report.md").write_text(report)
