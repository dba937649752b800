"""Run the real pipeline in a scratch copy of the project (for the whole-DAG tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Snakemake arguments that run a workflow up to, not including, its MLflow tracking jobs: for whole-DAG tests about
# something else (a protocol, the released formats). Each tracking job costs a few seconds of MLflow start-up, about
# 40% of such a test's job time; test_cldr_dag.py, test_mlflow_server.py and test_resume.py cover tracking.
WITHOUT_TRACKING = ("--omit-from", "track_run", "track_finetune", "track_rerank", "track_report")

# Top-level entries of a checkout that a scratch copy must not inherit (outputs, local data, tests).
LOCAL_STATE = {".venv", ".git", "data", "cache", "logs", ".snakemake", "results", "tests", "datasets", "mlruns", "mlartifacts"}


def copy_project(source: Path, target: Path) -> Path:
    """Copy the code and configuration of ``source`` to ``target``, leaving outputs and local data behind."""

    def ignore(directory: str, names: list[str]) -> list[str]:
        top = Path(directory).resolve() == source.resolve()
        return [n for n in names if (top and n in LOCAL_STATE) or n == "__pycache__" or n.endswith(".egg-info")]

    shutil.copytree(source, target, ignore=ignore)
    (target / "results").mkdir()
    return target


def environment() -> dict[str, str]:
    """The test interpreter's tools first on PATH, the default MLflow store, no hub access."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("MLFLOW_TRACKING_URI", None)
    env["HF_HUB_OFFLINE"] = "1"
    return env


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure (with ``check``) raise with the tail of its output."""
    result = subprocess.run(args, cwd=cwd, env=environment(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def snakemake(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``snakemake <args>`` with the test interpreter."""
    return run([sys.executable, "-m", "snakemake", *args], cwd, check)


def snakemake_with(extra: dict[str, str], *args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """:func:`snakemake` with ``extra`` added to its :func:`environment` (e.g. the ``MLFLOW_TRACKING_URI`` of a server)."""
    command = [sys.executable, "-m", "snakemake", *args]
    result = subprocess.run(command, cwd=cwd, env={**environment(), **extra}, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result
