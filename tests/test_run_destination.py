"""Where ``labrace run`` writes: it never deletes a folder that is not an earlier run's output (unless
forced), never replaces the current directory or an ancestor, and a scenario's name cannot steer the
default destination out of ``runs/``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labrace.cli.main import main
from labrace.simulation.destination import default_out, is_run_output, slug

TINY = 'name = "{name}"\nhorizon = 0.3\n[[labs]]\npolicy = "constant"\n'


def _scenario(folder: Path, name: str = "tiny") -> Path:
    path = folder / "tiny.toml"
    path.write_text(TINY.format(name=name))
    return path


def _run(*args: object) -> int:
    return main(["run", *map(str, args), "--no-figures", "--quiet"])


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path: Path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    assert _run(_scenario(tmp_path), "--out", out) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "--force" in err
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_force_replaces_it_and_an_earlier_run_is_replaced_without_force(tmp_path: Path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "old.txt").write_text("x")
    assert _run(_scenario(tmp_path), "--out", out, "--force") == 0
    assert is_run_output(out) and not (out / "old.txt").exists()
    assert _run(_scenario(tmp_path), "--out", out) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(_scenario(tmp_path), "--out", empty) == 0


@pytest.mark.parametrize("target", [".", "..", "./"])
def test_the_current_directory_and_its_ancestors_are_refused_even_with_force(tmp_path: Path, capsys,
                                                                             monkeypatch, target):
    work = tmp_path / "work"
    work.mkdir()
    scenario = _scenario(work)
    monkeypatch.chdir(work)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(work))
    assert _run(scenario, "--out", target, "--force") == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and "current directory" in err
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(work))) == before


@pytest.mark.parametrize("name, expected", [
    ("../../escape", "escape"), ("/etc/passwd", "etc-passwd"), ("..", "run"), ("a b\x1b[31m", "a-b-31m"),
    (".hidden", "hidden"), ("-rf", "rf"), ("duopoly", "duopoly"), ("x" * 300, "x" * 80),
])
def test_default_out_is_a_safe_slug_of_the_name(name, expected):
    assert slug(name) == expected
    assert default_out(name) == Path("runs") / expected


def test_a_name_with_dot_dots_cannot_write_outside_runs(tmp_path: Path, monkeypatch):
    work = tmp_path / "deep" / "work"
    work.mkdir(parents=True)
    victim = tmp_path / "deep" / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    assert _run(_scenario(work, name="../../victim")) == 0
    assert (victim / "keep.txt").read_text() == "keep" and sorted(os.listdir(victim)) == ["keep.txt"]
    assert is_run_output(work / "runs" / "victim")
