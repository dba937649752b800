"""MLflow tracking: one experiment per dataset, one MLflow run per (dataset, retrieval run),
plus one ``report`` run per dataset carrying the tables and figures.

The default store is a local SQLite file (no server); ``MLFLOW_TRACKING_URI`` overrides it.
Jobs that log concurrently take a file lock, so SQLite never sees two writers (and the first
job's schema migration is not raced).

Logging is idempotent per (run name, content): each run carries a content key (a sha256 of
everything it holds), a re-run with the same content reuses the FINISHED run, and every other
live run of that name in the experiment (an older content, or one left RUNNING by a killed job)
is moved to MLflow's trash, so the UI and ``search_runs`` show one run per (dataset, run name).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.io import file_sha256

log = logging.getLogger("crossrank")

CONTENT_KEY = "crossrank.content_key"  # tag: sha256 of what the run holds (see content_key)
SUPERSEDED_BY = "crossrank.superseded_by"  # tag of a trashed run: the run that replaced it


def resolve_tracking_uri(configured: str) -> str:
    """The environment's ``MLFLOW_TRACKING_URI`` if set, else ``configured``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or configured


def flatten(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested settings as MLflow params: ``{"bm25": {"k1": 1.2}}`` -> ``{"bm25.k1": "1.2"}``."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = str(value)[:6000]
    return flat


def metric_key(metric: str, query_lang: str, doc_lang: str) -> str:
    """MLflow-safe metric name: ``recall_at_100`` (macro) or ``recall_at_100/ar-ru`` (pair)."""
    base = metric.replace("@", "_at_")
    return base if query_lang == MACRO else f"{base}/{query_lang}-{doc_lang}"


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _local_sqlite_path(uri: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(uri[len(prefix) :]) if uri.startswith(prefix) else None


def run_key(run_name: str) -> str:
    """A run name as the MLflow-safe prefix of a report's metric names: ``+`` (not allowed there) becomes ``:``.

    ``dense.minilm+qd.original`` -> ``dense.minilm:qd.original``; run names never hold a ``:``,
    so the key is unambiguous.
    """
    return run_name.replace("+", ":")


def pair_metrics(frame: pd.DataFrame, prefix: str = "") -> dict[str, float]:
    """Rows of a metrics table as MLflow metrics, e.g. ``recall_at_100/ar-ru`` (optionally prefixed)."""
    return {f"{prefix}{metric_key(r.metric, r.query_lang, r.doc_lang)}": float(r.value) for r in frame.itertuples(index=False)}


@dataclass(frozen=True)
class RunRecord:
    """Everything one MLflow run holds: its name, params (nested, flattened when logged), metrics, artifact files, tags,
    and ``series``, metrics with a history ``{key: [(step, value), ...]}`` (a validation curve per epoch)."""

    name: str
    params: Mapping[str, Any]
    metrics: Mapping[str, float]
    artifacts: Sequence[str]
    tags: Mapping[str, str]
    series: Mapping[str, Sequence[tuple[int, float]]] = field(default_factory=dict)


def content_key(record: RunRecord) -> str:
    """A sha256 of everything :func:`log_run` would write: name, params, metrics, series, tags and each artifact's name and bytes.

    Two calls with the same key would leave identical MLflow runs, so the second may reuse the first.
    Tags count too (a new git commit gives a new run), so a reused run never carries stale provenance.
    """
    content = {
        "run_name": record.name,
        "params": flatten(record.params),
        "metrics": {key: float(value) for key, value in record.metrics.items()},
        "series": {key: [[int(step), float(value)] for step, value in points] for key, points in record.series.items()},
        "tags": {key: str(value) for key, value in record.tags.items()},
        "artifacts": [[Path(path).name, file_sha256(path)] for path in record.artifacts],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def _experiment_id(client: Any, experiment: str, artifact_root: str, local: bool) -> str:
    """The id of ``experiment``, created on first use (a local store puts its artifacts under ``artifact_root``)."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(experiment)
    if found is not None:
        return str(found.experiment_id)
    location = Path(artifact_root).resolve().as_uri() if local else None
    try:
        return str(client.create_experiment(experiment, artifact_location=location))
    except MlflowException:
        # Another machine logging to the same server created it first (the lock is per machine): use theirs.
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise
        return str(found.experiment_id)


def live_runs(client: Any, experiment_id: str, run_name: str) -> list[Any]:
    """Every run named ``run_name`` in the experiment that is not in MLflow's trash, newest first, whatever its status."""
    from mlflow.entities import ViewType

    quote = "'" if "'" not in run_name else '"'
    query = f"attributes.run_name = {quote}{run_name}{quote}"
    runs: list[Any] = []
    token: str | None = None
    while True:
        page = client.search_runs(
            [experiment_id], query, ViewType.ACTIVE_ONLY, max_results=1000, order_by=["attributes.start_time DESC"], page_token=token
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def _supersede(client: Any, runs: Sequence[Any], keeper_id: str) -> None:
    """Move every run of ``runs`` but ``keeper_id`` to MLflow's trash, tagged with the run that replaced it.

    ``delete_run`` is a soft delete: ``client.restore_run`` (or the UI's "deleted" view) brings a run back
    until ``mlflow gc`` purges it; a run a kill left RUNNING is marked KILLED first, so a restored one is honest.
    """
    for run in runs:
        run_id = run.info.run_id
        if run_id == keeper_id:
            continue
        client.set_tag(run_id, SUPERSEDED_BY, keeper_id)
        if run.info.status in ("RUNNING", "SCHEDULED"):
            client.set_terminated(run_id, "KILLED")
        client.delete_run(run_id)
        log.info("moved superseded MLflow run %s (%s, %s) to the trash", run_id, run.info.run_name, run.info.status)


def _create_run(client: Any, experiment_id: str, record: RunRecord, key: str) -> str:
    """Create a run, log everything into it, and only then mark it FINISHED (a kill midway leaves it RUNNING, never FINISHED)."""
    from mlflow.entities import Metric, Param

    run_id = str(client.create_run(experiment_id, run_name=record.name, tags={**record.tags, CONTENT_KEY: key}).info.run_id)
    now = int(time.time() * 1000)
    params = [Param(name, str(value)) for name, value in sorted(flatten(record.params).items())]
    metrics = [Metric(name, float(value), now, 0) for name, value in sorted(record.metrics.items())]
    metrics += [Metric(name, float(value), now, int(step)) for name, points in sorted(record.series.items()) for step, value in points]
    client.log_batch(run_id, metrics=metrics, params=params)  # batched by MLflow (1000 entities a request), not one call each
    for path in record.artifacts:
        client.log_artifact(run_id, path)
    client.set_terminated(run_id)
    return run_id


def log_run(tracking_uri: str, artifact_root: str, experiment: str, record: RunRecord) -> dict[str, str]:
    """Log one MLflow run in ``experiment``, or reuse an identical one; return its ids.

    A FINISHED run of that name with the same :func:`content_key` is reused (nothing is logged); else a new
    run is logged. Either way every other live run of that name is then moved to the trash (:func:`_supersede`),
    so a re-run after a kill at any point leaves exactly one live run per (experiment, run name).
    """
    import mlflow

    uri = resolve_tracking_uri(tracking_uri)
    database = _local_sqlite_path(uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    lock = (database.parent if database is not None else Path(artifact_root)) / ".mlflow.lock"
    key = content_key(record)
    with _exclusive(lock):
        client = mlflow.MlflowClient(tracking_uri=uri)
        experiment_id = _experiment_id(client, experiment, artifact_root, database is not None)
        existing = live_runs(client, experiment_id, record.name)
        same = [r for r in existing if r.info.status == "FINISHED" and r.data.tags.get(CONTENT_KEY) == key]
        if same:
            run_id = same[0].info.run_id
            log.info("MLflow run %s already holds %s with this content; reused", run_id, record.name)
        else:
            run_id = _create_run(client, experiment_id, record, key)
        _supersede(client, existing, run_id)
    return {"run_id": run_id, "experiment_id": experiment_id, "experiment": experiment, "tracking_uri": uri}
