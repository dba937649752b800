from __future__ import annotations

import pandas as pd

from crossrank.evaluate.metrics import COLUMNS
from crossrank.track.mlflow_store import flatten, log_run, metric_key, pair_metrics, resolve_tracking_uri


def test_flatten_nested_settings():
    assert flatten({"bm25": {"k1": 1.2, "analyzer": {"stem": True}}, "x": [1, 2]}) == {
        "bm25.k1": "1.2",
        "bm25.analyzer.stem": "True",
        "x": "[1, 2]",
    }


def test_metric_keys_are_mlflow_safe():
    assert metric_key("recall@100", "all", "all") == "recall_at_100"
    assert metric_key("ndcg@100", "ar", "ru") == "ndcg_at_100/ar-ru"
    frame = pd.DataFrame([("d", "r", "s", "c", "ar", "ru", "recall@10", 0.5, 3)], columns=COLUMNS)
    assert pair_metrics(frame, prefix="r/") == {"r/recall_at_10/ar-ru": 0.5}


def test_environment_overrides_the_configured_store(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking:5000")
    assert resolve_tracking_uri("sqlite:///x.db") == "http://tracking:5000"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert resolve_tracking_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_log_run_into_a_local_sqlite_store(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    artifact = tmp_path / "run.trec"
    artifact.write_text("q Q0 d 1 1.0 t\n")
    uri = "sqlite:///store/mlflow.db"
    ids = log_run(
        uri,
        "store/artifacts",
        "p/ds",
        "bm25.original",
        {"bm25": {"k1": 1.2}},
        {"recall_at_100": 0.25},
        [str(artifact)],
        {"kind": "retrieval"},
    )
    again = log_run(uri, "store/artifacts", "p/ds", "bm25.original", {}, {}, [], {})
    assert again["experiment_id"] == ids["experiment_id"] and again["run_id"] != ids["run_id"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    run = client.get_run(ids["run_id"])
    assert run.data.params == {"bm25.k1": "1.2"}
    assert run.data.metrics == {"recall_at_100": 0.25}
    assert run.data.tags["kind"] == "retrieval"
    assert [a.path for a in client.list_artifacts(ids["run_id"])] == ["run.trec"]
    assert (tmp_path / "store/artifacts").is_dir()


def test_a_fine_tuned_run_name_becomes_an_mlflow_safe_metric_prefix():
    from mlflow.utils.validation import _validate_metric_name

    from crossrank.track.mlflow_store import run_key

    assert run_key("dense.minilm+qd.original") == "dense.minilm:qd.original"
    _validate_metric_name(f"{run_key('ann.minilm+phrase.translated')}/ndcg_at_100")  # raises for a '+'
