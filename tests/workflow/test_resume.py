"""`make demo` run again after a kill finishes the run, and refuses while another run is in progress (crossrank.core.resume).

The fast tests run the Makefile with a stand-in ``snakemake`` (a shell script that records its arguments, and may sleep);
the slow one kills a real tiny pipeline while its MLflow job is logging, runs ``make demo`` again, and checks
that nothing is left to do and that MLflow holds one live run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from scratch_project import copy_project, environment
from scratch_project import snakemake as _snakemake

from crossrank.core import resume
from crossrank.track.mlflow_store import SUPERSEDED_BY

PROJECT = Path(__file__).resolve().parents[2]
TARGET = "results/mlflow/logged/cldr/bm25.original.json"  # 5 jobs: prepare, BM25 index and search, evaluation, MLflow

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _script(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def _fake_project(root: Path, snakemake_body: str) -> Path:
    """The Makefile with an up-to-date venv stamp, and ``venv-bin`` holding this interpreter and a stand-in snakemake."""
    shutil.copy(PROJECT / "Makefile", root / "Makefile")
    (root / "pyproject.toml").write_text("")
    os.utime(root / "pyproject.toml", (0, 0))
    (root / "stamp").write_text("")
    bin_dir = root / "venv-bin"
    bin_dir.mkdir()
    _script(bin_dir / "python", f'exec "{sys.executable}" "$@"')
    _script(bin_dir / "snakemake", snakemake_body)
    return root


def _make_demo(project: Path) -> subprocess.Popen[str]:
    """``make demo`` against the stand-ins, in its own process group (so a test can kill all of it), its output piped."""
    args = [shutil.which("make") or "make", "-s", "demo", f"BIN={project / 'venv-bin'}", f"STAMP={project / 'stamp'}", "CORES=2"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(args, cwd=project, env=environment(), text=True, start_new_session=True, **pipes)


def _finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    """Wait for ``process`` (at most ``timeout`` s); its status and output."""
    out, err = process.communicate(timeout=timeout)
    return process.returncode, (out or "") + (err or "")


def _wait_for(condition, seconds: float, what: str, process: subprocess.Popen[str] | None = None) -> None:
    """Poll ``condition`` every 20 ms for at most ``seconds``; fail naming ``what`` (or if ``process`` ended first)."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.02) + 1):
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"the pipeline ended (rc {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            break
        time.sleep(0.02)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def _demo(project: Path, timeout: float = 60) -> tuple[int, str]:
    """Run ``make demo`` to its end (at most ``timeout`` s); its status and output. Its process group is killed either way."""
    process = _make_demo(project)
    try:
        return _finish(process, timeout)
    finally:
        _kill_group(process)


def _kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process group of ``process`` (make, the launcher, snakemake and its jobs), and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _calls(project: Path) -> list[str]:
    path = project / "calls"
    return path.read_text().splitlines() if path.exists() else []


def test_a_second_run_is_refused_while_the_first_holds_the_lock_and_a_kill_releases_it(tmp_path):
    project = _fake_project(tmp_path, 'echo "$*" >> calls; touch running; exec sleep 60')
    first = _make_demo(project)
    try:
        _wait_for(lambda: (project / "running").exists(), 30, "the stand-in snakemake to start", first)
        rc, output = _demo(project, timeout=20)
        assert rc != 0
        assert f"another run of the pipeline is in progress in this directory (PID {_snakemake_pid(project)}" in output
        assert "wait for it to finish" in output
        assert _calls(project) == ["--cores 2 --rerun-incomplete"]  # the refused run started nothing
    finally:
        _kill_group(first)  # kill -9 of the first run's process group releases its lock
    _script(project / "venv-bin/snakemake", 'echo "$*" >> calls')
    rc, output = _demo(project)
    assert rc == 0, output
    assert _calls(project) == ["--cores 2 --rerun-incomplete"] * 2


def _snakemake_pid(project: Path) -> int:
    """The PID the lock file names: the launcher's, which ``exec`` made the stand-in snakemake's."""
    text = (project / resume.LOCK).read_text()
    return int(text.split()[1].rstrip(","))


def test_a_stale_snakemake_lock_is_removed_before_the_run(tmp_path):
    project = _fake_project(tmp_path, 'echo "$*" >> calls')
    (project / resume.SNAKEMAKE_LOCKS).mkdir(parents=True)
    (project / resume.SNAKEMAKE_LOCKS / "0.input.lock").write_text("data/x\n")  # left by a killed snakemake
    rc, output = _demo(project)
    assert rc == 0, output
    assert "removing the Snakemake lock left by an interrupted run" in output
    assert _calls(project) == ["--cores 2 --unlock", "--cores 2 --rerun-incomplete"]


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="finds running Snakemake processes in /proc")
def test_a_snakemake_started_by_hand_keeps_its_lock_and_the_run_is_refused(tmp_path):
    project = _fake_project(tmp_path, 'echo "$*" >> calls; sleep 60')  # the shell stays, named by its command line
    (project / resume.SNAKEMAKE_LOCKS).mkdir(parents=True)
    (project / resume.SNAKEMAKE_LOCKS / "0.input.lock").write_text("data/x\n")
    by_hand = subprocess.Popen(["/bin/sh", str(project / "venv-bin/snakemake"), "--cores", "4"], cwd=project, start_new_session=True)
    try:
        _wait_for(lambda: _calls(project) == ["--cores 4"], 30, "the hand-started snakemake")
        assert resume.snakemake_processes(project) == [by_hand.pid]
        rc, output = _demo(project, timeout=20)
        assert rc != 0 and f"Error {resume.BUSY}" in output  # make reports the launcher's status
        assert f"Snakemake is running in this directory (PID {by_hand.pid}), started outside this command" in output
        assert _calls(project) == ["--cores 4"]  # neither --unlock nor a run
    finally:
        _kill_group(by_hand)


def test_only_snakemake_command_lines_count_as_snakemake():
    assert resume._is_snakemake(["/usr/bin/python3", "/x/.venv/bin/snakemake", "--cores", "2"])
    assert resume._is_snakemake(["python", "-m", "snakemake", "--cores", "2"])
    assert resume._is_snakemake(["/x/.venv/bin/snakemake"])
    assert not resume._is_snakemake(["python", "-m", "crossrank.core.resume", "/x/.venv/bin/snakemake", "--cores", "2"])
    assert not resume._is_snakemake(["/bin/sh", "-c", "python -m crossrank.core.resume .venv/bin/snakemake --cores 2"])
    assert not resume._is_snakemake(["vim", "workflow/Snakefile"])


def _running_mlflow_run(database: Path) -> bool:
    """Whether the MLflow store holds a run still RUNNING (a job in the middle of logging it)."""
    if not database.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.1)) as connection:
            return bool(connection.execute("select count(*) from runs where status = 'RUNNING'").fetchone()[0])
    except sqlite3.Error:  # tables not created yet, or busy
        return False


@pytest.mark.slow
def test_make_demo_after_a_kill_during_mlflow_logging_finishes_the_run(tmp_path, project_root):
    project = copy_project(project_root, tmp_path / "project")
    (project / "tiny.yaml").write_text(yaml.safe_dump({"cldr": {"max_entities": 40}}))
    (project / "stamp").write_text("")
    configs = [TARGET, "--configfiles", "params.yaml", "tiny.yaml"]
    make = [shutil.which("make") or "make", "-s", "demo", f"BIN={Path(sys.executable).parent}", f"STAMP={project / 'stamp'}"]
    make += ["CORES=2", f"SNAKEMAKE_ARGS={' '.join(configs)}"]
    log = tmp_path / "first.log"
    with open(log, "w") as output:
        first = subprocess.Popen(make, cwd=project, env=environment(), stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(lambda: _running_mlflow_run(project / "results/mlflow/mlflow.db"), 150, "an MLflow run being logged", first)
    finally:
        _kill_group(first)
    assert any((project / resume.SNAKEMAKE_LOCKS).iterdir()) and any((project / ".snakemake/incomplete").iterdir())
    plain = _snakemake("--cores", "2", *configs, cwd=project, check=False)  # what the user got before
    assert plain.returncode != 0 and "cannot be locked" in plain.stdout + plain.stderr

    again = subprocess.Popen(
        make, cwd=project, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        rc, output = _finish(again, timeout=150)
    finally:
        _kill_group(again)
    assert rc == 0, output[-5000:]
    dry = _snakemake("-n", *configs, cwd=project)
    assert "Nothing to be done" in dry.stdout + dry.stderr

    import mlflow
    from mlflow.entities import ViewType

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project / 'results/mlflow/mlflow.db'}")
    experiment = client.get_experiment_by_name("crossrank/cldr")
    live = client.search_runs([experiment.experiment_id])
    assert [(r.info.run_name, r.info.status) for r in live] == [("bm25.original", "FINISHED")]
    trashed = client.search_runs([experiment.experiment_id], run_view_type=ViewType.DELETED_ONLY)  # the one the kill cut short
    assert [(r.info.status, r.data.tags[SUPERSEDED_BY]) for r in trashed] == [("KILLED", live[0].info.run_id)]
