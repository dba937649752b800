"""Where a result came from: the code version that produced it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(directory: str | Path = ".") -> dict[str, str]:
    """``{"git_commit": sha, "git_dirty": "true"|"false"}``, or ``unknown`` outside a git checkout."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"git_commit": "unknown", "git_dirty": "unknown"}
    return {"git_commit": sha, "git_dirty": "true" if status.strip() else "false"}
