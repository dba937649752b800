from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from crossrank.evaluate.metrics import COLUMNS
from crossrank.track.mlflow_store import (
    CONTENT_KEY,
    SUPERSEDED_BY,
    RunRecord,
    content_key,
    flatten,
    log_run,
    metric_key,
    pair_metrics,
    resolve_tracking_uri,
)

URI = "sqlite:///store/mlflow.db"


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


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A job directory ``tmp_path`` with a run file; the store (:data:`URI`) goes to ``store/`` under it."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.trec").write_text("q Q0 d 1 1.0 t\n")
    return tmp_path


def _log(name: str = "bm25.original", k1: float = 1.2, recall: float = 0.25) -> dict[str, str]:
    return log_run(
        URI,
        "store/artifacts",
        "p/ds",
        RunRecord(name, {"bm25": {"k1": k1}}, {"recall_at_100": recall}, ["run.trec"], {"kind": "retrieval"}),
    )


def _live(name: str = "bm25.original") -> list:
    """The runs ``mlflow.search_runs`` shows (the trash left out) under that name."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=URI)
    experiment = client.get_experiment_by_name("p/ds")
    return [r for r in client.search_runs([experiment.experiment_id]) if r.info.run_name == name]


def test_log_run_into_a_local_sqlite_store(store):
    import mlflow

    ids = _log()
    client = mlflow.MlflowClient(tracking_uri=URI)
    run = client.get_run(ids["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params == {"bm25.k1": "1.2"}
    assert run.data.metrics == {"recall_at_100": 0.25}
    assert run.data.tags["kind"] == "retrieval"
    assert run.data.tags[CONTENT_KEY] == content_key(
        RunRecord("bm25.original", {"bm25": {"k1": 1.2}}, {"recall_at_100": 0.25}, ["run.trec"], {"kind": "retrieval"})
    )
    assert [a.path for a in client.list_artifacts(ids["run_id"])] == ["run.trec"]
    assert (store / "store/artifacts").is_dir()
    other = _log("dense.m.original")  # another run name: its own run, in the same experiment
    assert other["experiment_id"] == ids["experiment_id"] and other["run_id"] != ids["run_id"]
    assert len(_live()) == len(_live("dense.m.original")) == 1


def test_logging_the_same_run_twice_reuses_the_first_and_logs_nothing_new(store):
    import mlflow

    first = _log()
    again = _log()
    assert again == first
    assert [r.info.run_id for r in _live()] == [first["run_id"]]
    history = mlflow.MlflowClient(tracking_uri=URI).get_metric_history(first["run_id"], "recall_at_100")
    assert [m.value for m in history] == [0.25]  # logged once, not twice into the reused run


def test_a_run_left_unfinished_by_a_kill_is_trashed_and_one_finished_run_remains(store):
    import mlflow

    _log("dense.m.original")
    client = mlflow.MlflowClient(tracking_uri=URI)
    experiment_id = client.get_experiment_by_name("p/ds").experiment_id
    stale = client.create_run(experiment_id, run_name="bm25.original").info.run_id  # killed before set_terminated
    client.log_param(stale, "bm25.k1", "1.2")
    ids = _log()
    live = _live()
    assert [r.info.run_id for r in live] == [ids["run_id"]] and live[0].info.status == "FINISHED"
    assert live[0].data.metrics == {"recall_at_100": 0.25}
    trashed = client.get_run(stale)
    assert (trashed.info.lifecycle_stage, trashed.info.status) == ("deleted", "KILLED")
    assert trashed.data.tags[SUPERSEDED_BY] == ids["run_id"]
    assert len(_live("dense.m.original")) == 1  # other run names are left alone


def test_changed_content_leaves_one_live_run_with_the_new_values(store):
    import mlflow

    old = _log(k1=1.2, recall=0.25)
    (store / "run.trec").write_text("q Q0 d 1 2.0 t\n")  # a new run file, same name
    new = _log(k1=0.9, recall=0.5)
    assert new["run_id"] != old["run_id"]
    live = _live()
    assert [r.info.run_id for r in live] == [new["run_id"]]
    assert (live[0].data.params, live[0].data.metrics) == ({"bm25.k1": "0.9"}, {"recall_at_100": 0.5})
    client = mlflow.MlflowClient(tracking_uri=URI)
    assert client.get_run(old["run_id"]).info.lifecycle_stage == "deleted"  # in the trash, restorable
    client.restore_run(old["run_id"])
    assert client.get_run(old["run_id"]).data.params == {"bm25.k1": "1.2"}


def test_the_content_key_covers_artifact_bytes_tags_and_series(store):
    base = RunRecord("r", {"a": 1}, {"m": 0.5}, ["run.trec"], {"git_commit": "x"})
    key = content_key(base)
    assert content_key(base) == key
    assert content_key(replace(base, tags={"git_commit": "y"})) != key
    assert content_key(replace(base, series={"v": [(0, 0.1)]})) != key
    (store / "run.trec").write_text("changed\n")
    assert content_key(base) != key


def test_a_fine_tuned_run_name_becomes_an_mlflow_safe_metric_prefix():
    from mlflow.utils.validation import _validate_metric_name

    from crossrank.track.mlflow_store import run_key

    assert run_key("dense.minilm+qd.original") == "dense.minilm:qd.original"
    _validate_metric_name(f"{run_key('ann.minilm+phrase.translated')}/ndcg_at_100")  # raises for a '+'


def test_an_experiment_created_meanwhile_by_another_machine_is_used_not_an_error(store):
    import mlflow
    from mlflow.exceptions import MlflowException

    from crossrank.track import mlflow_store

    real = mlflow.MlflowClient(tracking_uri=URI)
    other_id = real.create_experiment("p/raced")  # the other machine's, created after our lookup

    class LateClient:
        """Finds no experiment on the first lookup; its create fails as the server's does for an existing name."""

        lookups = 0

        def get_experiment_by_name(self, name):
            LateClient.lookups += 1
            return None if LateClient.lookups == 1 else real.get_experiment_by_name(name)

        def create_experiment(self, name, artifact_location=None):
            raise MlflowException(f"Experiment '{name}' already exists.")

    assert mlflow_store._experiment_id(LateClient(), "p/raced", "store/artifacts", local=True) == other_id
    with pytest.raises(MlflowException):  # any other failure to create is still an error
        mlflow_store._experiment_id(type("Broken", (LateClient,), {"get_experiment_by_name": lambda self, name: None})(), "p/x", "a", True)


def test_a_run_is_logged_in_batches_not_one_request_per_value(store, monkeypatch):
    import mlflow

    calls: list[str] = []
    for name in ("log_param", "log_metric", "log_batch"):
        real = getattr(mlflow.MlflowClient, name)
        monkeypatch.setattr(mlflow.MlflowClient, name, lambda self, *a, _n=name, _r=real, **k: calls.append(_n) or _r(self, *a, **k))
    params = {"p": {str(i): i for i in range(250)}}
    record = RunRecord("wide", params, {f"m{i}": i / 10 for i in range(1200)}, [], {}, {"curve": [(0, 0.1), (1, 0.2)]})
    ids = log_run(URI, "store/artifacts", "p/ds", record)
    assert "log_param" not in calls and "log_metric" not in calls and 1 <= calls.count("log_batch") <= 3
    run = mlflow.MlflowClient(tracking_uri=URI).get_run(ids["run_id"])
    assert len(run.data.params) == 250 and len(run.data.metrics) == 1201 and run.data.metrics["m7"] == 0.7
    history = mlflow.MlflowClient(tracking_uri=URI).get_metric_history(ids["run_id"], "curve")
    assert [(m.step, m.value) for m in history] == [(0, 0.1), (1, 0.2)]
