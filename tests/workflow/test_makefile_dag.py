"""`make dag`: the DOT text always, the PNG only through graphviz's dot, and never an empty file.

Runs the project's Makefile in a scratch directory with a stand-in ``snakemake`` (its rule graph
is one line of DOT) and a PATH holding only the tools the recipe needs, with or without a ``dot``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
GRAPH = "digraph snakemake_dag { all; }"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _scratch(tmp_path: Path, dot: str | None) -> Path:
    """A directory with the Makefile, an up-to-date venv stamp, a fake snakemake and ``dot`` (a shell body, or none)."""
    shutil.copy(PROJECT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    stamp = tmp_path / "stamp"
    stamp.write_text("")
    os.utime(tmp_path / "pyproject.toml", (0, 0))
    bin_dir, tools = tmp_path / "venv-bin", tmp_path / "tools"
    bin_dir.mkdir()
    tools.mkdir()
    _script(bin_dir / "snakemake", f"echo '{GRAPH}'")
    for tool in ("mkdir", "mv", "rm", "cat", "cksum", "cut"):
        (tools / tool).symlink_to(shutil.which(tool))
    if dot is not None:
        _script(tools / "dot", dot)
    return tmp_path


def _script(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _make_dag(project: Path) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    env = {"PATH": str(project / "tools"), "HOME": str(project)}
    args = [make, "-s", "dag", f"BIN={project / 'venv-bin'}", f"STAMP={project / 'stamp'}"]
    return subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, check=False)


def _results(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "results").iterdir())


def test_without_dot_it_writes_the_dot_text_says_what_to_install_and_fails(tmp_path):
    project = _scratch(tmp_path, dot=None)
    result = _make_dag(project)
    assert result.returncode != 0
    assert "graphviz" in result.stderr and "apt-get install graphviz" in result.stderr and "conda install" in result.stderr
    assert _results(project) == ["rulegraph.dot"]  # no empty PNG, no temporary file
    assert (project / "results" / "rulegraph.dot").read_text().strip() == GRAPH


def test_a_failing_dot_leaves_no_png(tmp_path):
    project = _scratch(tmp_path, dot='printf "" > "$4"; exit 3')  # creates its output, empty, then fails
    assert _make_dag(project).returncode != 0
    assert _results(project) == ["rulegraph.dot"]


def test_with_dot_it_renders_the_png_from_the_dot_text(tmp_path):
    project = _scratch(tmp_path, dot='[ "$1" = -Tpng ] && cat "$2" > "$4"')  # dot -Tpng IN -o OUT
    result = _make_dag(project)
    assert result.returncode == 0, result.stderr
    assert _results(project) == ["rulegraph.dot", "rulegraph.png"]
    assert (project / "results" / "rulegraph.png").read_text().strip() == GRAPH
