"""Tests of crossrank.core.provenance: the git commit a result was computed from."""

from __future__ import annotations

import subprocess

from crossrank.core.provenance import git_commit


def test_git_commit_and_dirty_flag(tmp_path):
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "f").write_text("a")
    subprocess.run([*git, "add", "f"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert git_commit(tmp_path) == {"git_commit": head, "git_dirty": "false"}
    (tmp_path / "f").write_text("b")
    assert git_commit(tmp_path)["git_dirty"] == "true"


def test_outside_a_checkout_the_commit_is_unknown(tmp_path):
    assert git_commit(tmp_path) == {"git_commit": "unknown", "git_dirty": "unknown"}
