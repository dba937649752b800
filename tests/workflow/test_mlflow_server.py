"""The pipeline logging to a real MLflow tracking server instead of its local SQLite file.

Starts ``mlflow server`` on 127.0.0.1 (SQLite backend, proxied artifacts under its own directory) in its own
process group, runs a tiny cldr configuration with ``MLFLOW_TRACKING_URI`` pointing at it, and then reads
every run back over the REST API only: params, metrics and artifacts must be what the pipeline's own files
say (its config, metrics tables, marker files and Snakemake's record of each tracking job's inputs). Nothing
may land in the project's default store, and a ``--forcerun`` of one tracking job reuses its run and trashes
a stale one, leaving one live run per name.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import ProxyHandler, Request, build_opener

import pytest
import yaml
from scratch_project import copy_project, environment, snakemake_with

from crossrank.config import validate_params
from crossrank.core import layout
from crossrank.core.contract import MACRO
from crossrank.core.layout import fill
from crossrank.plan import Plan
from crossrank.track.mlflow_store import CONTENT_KEY, SUPERSEDED_BY, flatten, metric_key, run_key

pytestmark = pytest.mark.slow

DATASET = "cldr"
RUNS = ["bm25.original", "dense.tiny.original"]
MARKERS = {run: fill(layout.MLFLOW_LOGGED, dataset=DATASET, run=run) for run in RUNS} | {
    "report": fill(layout.MLFLOW_REPORT, dataset=DATASET)
}
EXPERIMENT = f"crossrank/{DATASET}"
OPENER = build_opener(ProxyHandler({}))  # straight to 127.0.0.1, whatever *_proxy says


@dataclass(frozen=True)
class Server:
    url: str
    root: Path  # holds the backend database, the artifacts destination and the server's log
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(url: str) -> bool:
    try:
        with OPENER.open(f"{url}/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"OK"
    except (URLError, OSError):
        return False


def _wait_healthy(server: Server, seconds: float = 150.0) -> None:
    """Poll ``/health`` every 0.25 s, at most ``seconds`` (and as many polls); fail if the server exits first."""
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.25) + 1):
        if server.process.poll() is not None:
            pytest.fail(f"mlflow server exited ({server.process.returncode}):\n{_log_tail(server)}")
        if _health(server.url):
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
    pytest.fail(f"mlflow server not healthy after {seconds} s:\n{_log_tail(server)}")


def _log_tail(server: Server) -> str:
    return (server.root / "server.log").read_text(errors="replace")[-3000:]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal: still alive
        return True
    return True


def _stop(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    """TERM the server's process group (its id is the server's PID), wait at most ``grace`` s, then KILL what is left."""
    pgid = process.pid
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for _ in range(int(grace / 0.1) + 1):
        process.poll()
        if not _group_alive(pgid) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
    process.wait(timeout=grace)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``mlflow server`` on a free loopback port, started (not yet healthy: :func:`project` waits while the pipeline runs)."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    command += ["--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}", "--artifacts-destination", str(root / "artifacts")]
    env = {**environment(), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}  # no job-runner processes (GenAI jobs)
    with open(root / "server.log", "wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield Server(f"http://127.0.0.1:{port}", root, process)
    finally:
        _stop(process)


def _tracked(server: Server) -> dict[str, str]:
    """The environment that points the pipeline at ``server`` (and keeps its HTTP client off any proxy)."""
    return {"MLFLOW_TRACKING_URI": server.url, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@pytest.fixture(scope="module")
def project(server: Server, tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, project_root: Path) -> Path:
    """A copy of the project configured tiny (40 entities, BM25 and one tiny encoder on original documents, nothing
    fine-tuned, re-ranked, fused or timed), whose two retrieval runs and report run are logged to ``server``.

    The server starts first (it takes a while); the tiny encoder is built and everything before the tracking jobs
    runs meanwhile, and the tracking jobs once it is healthy.
    """
    root = copy_project(project_root, tmp_path_factory.mktemp("mlflow-pipeline") / "project")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["cldr"]["max_entities"] = 40
    params["conditions"] = ["original"]
    params["encoders"] = {"tiny": {"model": str(tiny_bert), "max_length": 32, "batch_size": 16}}
    params["finetune"]["encoders"] = []
    params["rerank"]["models"] = []
    params["fusion"]["methods"] = []
    params["ann"]["enabled"] = False
    params["efficiency"]["enabled"] = False
    params["report"]["linguistic"]["enabled"] = False
    params["report"]["significance"].update(resamples=100, bootstrap_resamples=100)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = _tracked(server)
    snakemake_with(env, "--cores", "2", "--omit-from", "track_run", "track_report", *MARKERS.values(), cwd=root)
    _wait_healthy(server)
    snakemake_with(env, "--cores", "2", *MARKERS.values(), cwd=root)
    return root


def _api(server: Server, path: str, body: dict[str, Any] | None = None, **query: str) -> dict[str, Any]:
    """One REST call: POST ``body`` as JSON, or GET with ``query``; the decoded JSON answer."""
    url = f"{server.url}{path}" + (f"?{urlencode(query)}" if query else "")
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = Request(url, data=data, headers={"Content-Type": "application/json"}, method="GET" if data is None else "POST")
    with OPENER.open(request, timeout=30) as response:
        return json.loads(response.read())


def _paged(server: Server, path: str, body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Every item of a paginated search (``page_token`` until there is none; at most 100 pages)."""
    items: list[dict[str, Any]] = []
    token = None
    for _ in range(100):
        page = _api(server, path, {**body, "max_results": 100, **({"page_token": token} if token else {})})
        items += page.get(key, [])
        token = page.get("next_page_token")
        if not token:
            return items
    raise AssertionError(f"{path}: more than 100 pages")


def _experiments(server: Server) -> dict[str, str]:
    """Every experiment on the server (deleted ones too), name -> id."""
    found = _paged(server, "/api/2.0/mlflow/experiments/search", {"view_type": "ALL"}, "experiments")
    return {e["name"]: e["experiment_id"] for e in found}


def _runs(server: Server, view: str = "ACTIVE_ONLY") -> list[dict[str, Any]]:
    """Every run in every experiment on the server (``view``: ACTIVE_ONLY, DELETED_ONLY or ALL)."""
    ids = list(_experiments(server).values())
    return _paged(server, "/api/2.0/mlflow/runs/search", {"experiment_ids": ids, "run_view_type": view}, "runs")


def _pairs(run: dict[str, Any], kind: str) -> dict[str, Any]:
    return {item["key"]: item["value"] for item in run["data"].get(kind, [])}


def _artifacts(server: Server, run_id: str, path: str = "") -> dict[str, int]:
    """Every artifact file of a run (recursively) -> its size, as the tracking API lists it."""
    query = {"run_id": run_id, **({"path": path} if path else {})}
    files: dict[str, int] = {}
    for entry in _api(server, "/api/2.0/mlflow/artifacts/list", **query).get("files", []):
        if entry["is_dir"]:
            files |= _artifacts(server, run_id, entry["path"])
        else:
            files[entry["path"]] = int(entry["file_size"])
    return files


def _download(server: Server, artifact_uri: str, path: str) -> bytes:
    """An artifact's bytes through the server's artifact proxy (``mlflow-artifacts:/<exp>/<run>/artifacts``)."""
    assert artifact_uri.startswith("mlflow-artifacts:/"), artifact_uri
    with OPENER.open(f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{artifact_uri.split(':/', 1)[1]}/{path}", timeout=30) as response:
        return response.read()


def _tracking_inputs(project: Path, server: Server) -> dict[str, list[str]]:
    """What Snakemake records as each tracking job's input files (``--detailed-summary``), by run name."""
    summary = snakemake_with(_tracked(server), "--detailed-summary", "--cores", "1", *MARKERS.values(), cwd=project).stdout
    inputs = {row["output_file"]: row["input-file(s)"].split(",") for row in csv.DictReader(summary.splitlines(), delimiter="\t")}
    return {name: inputs[marker] for name, marker in MARKERS.items()}


def _expected_params(project: Path) -> dict[str, dict[str, str]]:
    """Each run's params as the pipeline's configuration determines them (flattened as MLflow holds them)."""
    config = validate_params(yaml.safe_load((project / "params.yaml").read_text()), project / "workflow/schemas/params.schema.yaml")
    plan = Plan.from_config(copy.deepcopy(config))
    expected = {"report": flatten(config)}
    for run in RUNS:
        params = plan.run_params(DATASET, run)
        for record in plan.embedding_records(run, DATASET):  # what "auto" resolved to, from the embedding record
            resolved = json.loads((project / record).read_text())
            params["embedding"] = {**params.get("embedding", {}), "resolved": {k: resolved[k] for k in ("precision", "devices", "shards")}}
        expected[run] = flatten(params)
    return expected


def _expected_metrics(project: Path) -> dict[str, dict[str, float]]:
    """Each run's metrics as the pipeline's metrics tables hold them: a run's pairs and macro averages, the report's
    macro averages of every run of the dataset (prefixed with the run)."""
    expected: dict[str, dict[str, float]] = {"report": {}}
    for run in RUNS:
        with open(project / fill(layout.RUN_METRICS, dataset=DATASET, run=run), newline="") as handle:
            expected[run] = {metric_key(r["metric"], r["query_lang"], r["doc_lang"]): float(r["value"]) for r in csv.DictReader(handle)}
    with open(project / layout.METRICS, newline="") as handle:
        for r in csv.DictReader(handle):
            if r["dataset"] == DATASET and r["query_lang"] == MACRO:
                expected["report"][f"{run_key(r['run'])}/{metric_key(r['metric'], r['query_lang'], r['doc_lang'])}"] = float(r["value"])
    return expected


def _markers(project: Path) -> dict[str, dict[str, str]]:
    return {name: json.loads((project / marker).read_text()) for name, marker in MARKERS.items()}


def test_every_run_is_on_the_server_with_the_pipelines_params_metrics_and_artifacts(project: Path, server: Server):
    experiments = _experiments(server)
    assert set(experiments) == {"Default", EXPERIMENT}
    runs = _runs(server, "ALL")
    by_name = {run["info"]["run_name"]: run for run in runs}
    assert sorted(by_name) == sorted(MARKERS) and len(runs) == len(MARKERS)  # one run per name, none in the trash
    markers = _markers(project)
    inputs = _tracking_inputs(project, server)
    params, metrics = _expected_params(project), _expected_metrics(project)
    assert set(metrics["report"]) >= {f"{run}/recall_at_100" for run in RUNS}
    for name, run in by_name.items():
        info = run["info"]
        assert markers[name] == {
            "run_id": info["run_id"],
            "experiment_id": experiments[EXPERIMENT],
            "experiment": EXPERIMENT,
            "tracking_uri": server.url,
        }
        assert (info["experiment_id"], info["status"], info["lifecycle_stage"]) == (experiments[EXPERIMENT], "FINISHED", "active")
        assert _pairs(run, "params") == params[name], name
        logged = _pairs(run, "metrics")
        assert set(logged) == set(metrics[name]), name
        assert all(logged[key] == pytest.approx(value, rel=1e-12, abs=1e-12) for key, value in metrics[name].items()), name
        tags = _pairs(run, "tags")
        assert tags["dataset"] == DATASET and tags["kind"] == ("report" if name == "report" else "retrieval")
        assert len(tags[CONTENT_KEY]) == 64 and SUPERSEDED_BY not in tags
        files = {Path(path).name: project / path for path in inputs[name]}
        assert len(files) == len(inputs[name]) >= 2
        assert _artifacts(server, info["run_id"]) == {file: path.stat().st_size for file, path in files.items()}, name
        for file, path in files.items():  # the bytes, through the proxy, and where --artifacts-destination put them
            assert _download(server, info["artifact_uri"], file) == path.read_bytes(), (name, file)
            stored = server.root / "artifacts" / info["experiment_id"] / info["run_id"] / "artifacts" / file
            assert stored.read_bytes() == path.read_bytes(), (name, file)


def test_nothing_goes_to_the_projects_own_store(project: Path):
    assert not (project / "results/mlflow/mlflow.db").exists()
    assert not (project / "mlruns").exists() and not (project / "mlartifacts").exists() and not (project / "mlflow.db").exists()
    # the local artifact root holds at most the jobs' lock file, never an artifact
    local = project / "results/mlflow/artifacts"
    assert [p.name for p in local.rglob("*") if p.is_file()] in ([], [".mlflow.lock"])


def test_forcing_one_tracking_job_again_reuses_its_run_and_trashes_a_stale_one(project: Path, server: Server):
    before = _markers(project)
    experiment_id = before["bm25.original"]["experiment_id"]
    start = int(time.time() * 1000)
    stale = _api(server, "/api/2.0/mlflow/runs/create", {"experiment_id": experiment_id, "run_name": "bm25.original", "start_time": start})
    stale_id = stale["run"]["info"]["run_id"]  # as a job killed mid-logging leaves it: RUNNING
    forced = ["--forcerun", MARKERS["bm25.original"], "--cores", "2"]  # --forcerun takes every name that follows: targets last
    result = snakemake_with(_tracked(server), *forced, *MARKERS.values(), cwd=project)
    output = result.stdout + result.stderr
    assert "1 of 1 steps (100%) done" in output and f"output: {MARKERS['bm25.original']}" in output
    assert "reason: Forced execution" in output and "rule track_report:" not in output
    log = (project / f"logs/track/{DATASET}.bm25.original.log").read_text()
    assert "with this content; reused" in log
    assert _markers(project) == before  # the same content: the same run, logged nothing new
    live = _runs(server)
    assert sorted(run["info"]["run_name"] for run in live) == sorted(MARKERS)
    assert {run["info"]["run_name"]: run["info"]["run_id"] for run in live} == {name: m["run_id"] for name, m in before.items()}
    trashed = _runs(server, "DELETED_ONLY")
    assert [run["info"]["run_id"] for run in trashed] == [stale_id]
    assert trashed[0]["info"]["status"] == "KILLED"
    assert _pairs(trashed[0], "tags")[SUPERSEDED_BY] == before["bm25.original"]["run_id"]
    assert not (project / "results/mlflow/mlflow.db").exists()
