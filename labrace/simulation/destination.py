"""Where a run's results may go: which folders ``labrace run`` may replace, and the default folder name.

Writing a run replaces its destination whole, so the destination must be something a person would agree
to lose: a folder that does not exist yet, an empty one, or the output of an earlier run (recognised by
its ``summary.json`` carrying labrace's provenance). Anything else is refused unless the caller forces
it; the current directory and its ancestors are refused always, since replacing them would pull the
ground from under the caller. The default destination is built from the scenario's name, which comes
from a file and so is reduced to a safe slug: it can never climb out of ``runs/``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from labs.params import ParameterError

SUMMARY = "summary.json"
PROVENANCE_KEYS = ("labrace_version", "scenario_key")
RUNS_DIR = Path("runs")
DEFAULT_SLUG = "run"
MAX_SLUG = 80


def slug(name: str) -> str:
    """``name`` as one safe path component: letters, digits, ``.``, ``_`` and ``-``, never ``.`` or ``..``.

    Runs of anything else (separators, spaces, control characters) become one ``-``; leading dots and
    dashes are dropped so the folder is neither hidden nor mistaken for an option.
    """
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip(".-")[:MAX_SLUG].rstrip("-")
    return text or DEFAULT_SLUG


def default_out(name: str) -> Path:
    """The folder a run of scenario ``name`` goes to when no ``--out`` is given: ``runs/<slug>``."""
    return RUNS_DIR / slug(name)


def is_run_output(folder: Path) -> bool:
    """True if ``folder`` holds a ``summary.json`` written by ``labrace run`` (with its provenance)."""
    try:
        data = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    provenance = data.get("provenance") if isinstance(data, dict) else None
    return isinstance(provenance, dict) and all(key in provenance for key in PROVENANCE_KEYS)


def check_destination(out: Path, force: bool = False) -> None:
    """Refuse a destination ``labrace run`` must not replace, before anything runs or is written.

    Refused: an existing file; the current directory or one of its ancestors; and, unless ``force``, a
    non-empty folder that is not an earlier run's output. Raises :class:`ParameterError` on ``--out``.
    """
    if out.exists() and not out.is_dir():
        raise ParameterError("--out", f"{out} exists and is not a directory", "a new or existing directory")
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise ParameterError("--out", f"{out} is the current directory or one of its ancestors, which a run "
                             "would replace whole", "a new folder, e.g. --out runs/NAME")
    if not out.is_dir() or force or is_run_output(out):
        return
    try:
        occupied = any(out.iterdir())
    except OSError as error:
        raise ParameterError("--out", f"cannot read {out}: {error.strerror or error}",
                             "a readable directory") from None
    if occupied:
        raise ParameterError("--out", f"{out} holds files that are not the output of a labrace run and would "
                             "all be deleted", "a new or empty folder, an earlier run's output, or --force")
