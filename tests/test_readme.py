"""The README's Python examples run as written, and its column tables are exactly the declared columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labrace.simulation.columns import MARKDOWN_HEADER, TABLES, markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def tables(text: str) -> list[str]:
    """Every Markdown table of ``text`` (runs of lines starting with ``|``)."""
    found: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        row = line.startswith("|")
        if row and not previous:
            found.append([])
        if row:
            found[-1].append(line)
        previous = row
    return ["\n".join(lines) for lines in found]


@pytest.mark.slow
def test_every_python_block_of_the_readme_runs(tmp_path, monkeypatch, capsys):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "the README shows no Python example"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md python block {number}", "exec"), namespace)
    printed = capsys.readouterr().out
    # what the example promises: the files of `labrace run`, and a second tournament call that plays nothing
    assert (tmp_path / "out" / "duopoly" / "summary.json").is_file()
    assert (tmp_path / "out" / "quick" / "ranking.csv").is_file()
    assert "0 new runs, 98 already done" in printed


def test_readme_column_tables_are_generated_from_the_declarations():
    shown = [t for t in tables(README.read_text(encoding="utf-8")) if t.startswith(MARKDOWN_HEADER)]
    expected = [markdown(columns) for columns in TABLES.values()]
    assert shown == expected, "regenerate the README's column tables with: python -m labrace.simulation.columns"
