"""A YAML syntax error in any config file is reported with its file and line, by the workflow and by `make demo`'s launcher.

Snakemake's own reader says only "Config file is not valid JSON or YAML", naming neither.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scratch_project import copy_project, environment
from scratch_project import snakemake as _snakemake

BROKEN = "bm25:\n  k1: [1.2\n"  # an unclosed flow sequence: the error is found on line 3 (end of input)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    return copy_project(project_root, tmp_path_factory.mktemp("config_files") / "project")


def test_a_syntax_error_in_params_yaml_names_the_file_and_line(project: Path):
    params = project / "params.yaml"
    good = params.read_text()
    lines = good.splitlines(keepends=True)
    params.write_text("".join(lines[:4]) + "broken: a: b\n" + "".join(lines[4:]))  # "mapping values are not allowed here"
    try:
        result = _snakemake("-n", cwd=project, check=False)
    finally:
        params.write_text(good)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "params.yaml, line 5: not valid YAML (mapping values are not allowed here)" in output, output[-2000:]


def test_the_launcher_names_a_broken_overlay_before_snakemake_reads_it(project: Path):
    (project / "broken.yaml").write_text(BROKEN)
    launcher = [sys.executable, "-m", "crossrank.core.resume", sys.executable, "-m", "snakemake", "-n"]
    result = subprocess.run(
        [*launcher, "--configfiles", "params.yaml", "broken.yaml"],
        cwd=project,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "crossrank: broken.yaml, line 3: not valid YAML" in result.stderr, result.stderr[-2000:]
    assert not (project / ".snakemake/crossrank.flock").exists()  # refused before taking the lock or starting anything
