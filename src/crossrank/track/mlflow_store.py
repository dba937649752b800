"""MLflow tracking: one experiment per dataset, one MLflow run per (dataset, retrieval run),
plus one ``report`` run per dataset carrying the tables and figures.

The default store is a local SQLite file (no server); ``MLFLOW_TRACKING_URI`` overrides it.
Jobs that log concurrently take a file lock, so SQLite never sees two writers (and the first
job's schema migration is not raced).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crossrank.core.contract import MACRO


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


def log_run(
    tracking_uri: str,
    artifact_root: str,
    experiment: str,
    run_name: str,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    artifacts: Sequence[str],
    tags: Mapping[str, str],
    series: Mapping[str, Sequence[tuple[int, float]]] | None = None,
) -> dict[str, str]:
    """Log one MLflow run (params, metrics, artifact files, tags) in ``experiment``; return its ids.

    ``series`` are metrics with a history, ``{key: [(step, value), ...]}`` (a validation curve per epoch).
    """
    import mlflow

    uri = resolve_tracking_uri(tracking_uri)
    database = _local_sqlite_path(uri)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    lock = (database.parent if database is not None else Path(artifact_root)) / ".mlflow.lock"
    with _exclusive(lock):
        client = mlflow.MlflowClient(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment)
        if found is not None:
            experiment_id = found.experiment_id
        else:
            location = Path(artifact_root).resolve().as_uri() if database is not None else None
            experiment_id = client.create_experiment(experiment, artifact_location=location)
        run = client.create_run(experiment_id, run_name=run_name, tags=dict(tags))
        run_id = run.info.run_id
        for key, value in sorted(flatten(params).items()):
            client.log_param(run_id, key, value)
        for key, value in sorted(metrics.items()):
            client.log_metric(run_id, key, value)
        for key, points in sorted((series or {}).items()):
            for step, value in points:
                client.log_metric(run_id, key, value, step=step)
        for path in artifacts:
            client.log_artifact(run_id, path)
        client.set_terminated(run_id)
    return {"run_id": run_id, "experiment_id": experiment_id, "experiment": experiment, "tracking_uri": uri}
