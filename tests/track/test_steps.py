"""Tests of crossrank.track.steps: a retrieval run and a dataset's report logged to a local MLflow store (SQLite, no server)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from crossrank.core.io import write_json
from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import metrics_frame, sort_metrics, write_metrics
from crossrank.track import steps

TABLE = {
    ("all", "all", "recall@10"): (0.75, 3),
    ("en", "de", "recall@10"): (0.5, 2),
    ("fr", "de", "recall@10"): (1.0, 1),
    ("all", "all", "ndcg@10"): (0.25, 3),
}


@pytest.fixture
def mlflow_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh SQLite store and artifact root under ``tmp_path``; the job runs from ``tmp_path``, at a fixed git commit."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(steps, "git_commit", lambda directory: {"git_commit": f"sha-of:{Path(directory).name}", "git_dirty": "false"})
    return {
        "tracking_uri": f"sqlite:///{tmp_path}/mlflow.db",
        "artifact_root": str(tmp_path / "artifacts"),
        "experiment_prefix": "crossrank",
    }


def _client(settings: dict[str, str]):
    import mlflow

    return mlflow.MlflowClient(tracking_uri=settings["tracking_uri"])


def _run_files(tmp_path: Path, run_name: str) -> tuple[str, str]:
    run = tmp_path / "runs" / f"{run_name}.trec"
    run.parent.mkdir(parents=True, exist_ok=True)
    run.write_text(f"q1 Q0 d1 1 1.000000 {run_name}\n", encoding="utf-8")
    metrics = tmp_path / "metrics" / f"{run_name}.csv"
    write_metrics(str(metrics), metrics_frame("tiny", run_name, TABLE))
    return str(run), str(metrics)


def test_track_run_logs_params_metrics_tags_and_artifacts(tmp_path, mlflow_settings):
    run_file, metrics_file = _run_files(tmp_path, "bm25.original")
    params = {"bm25": {"k1": 1.2, "analyzer": {"stem": True}}, "retrieval": {"top_k": 100}}
    marker = tmp_path / "logged" / "bm25.original.json"
    steps.track_run("tiny", "bm25.original", params, metrics_file, [run_file], mlflow_settings, str(marker))

    ids = json.loads(marker.read_text(encoding="utf-8"))
    client = _client(mlflow_settings)
    run = client.get_run(ids["run_id"])
    assert run.info.run_name == "bm25.original"
    assert run.data.params == {"bm25.k1": "1.2", "bm25.analyzer.stem": "True", "retrieval.top_k": "100"}
    assert run.data.metrics == {"recall_at_10": 0.75, "recall_at_10/en-de": 0.5, "recall_at_10/fr-de": 1.0, "ndcg_at_10": 0.25}
    tags = {k: v for k, v in run.data.tags.items() if not k.startswith(("mlflow.", "crossrank."))}
    assert tags == {
        "dataset": "tiny",
        "run": "bm25.original",
        "system": "bm25",
        "condition": "original",
        "kind": "retrieval",
        "git_commit": f"sha-of:{tmp_path.name}",  # of the directory the job runs in
        "git_dirty": "false",
    }
    assert sorted(a.path for a in client.list_artifacts(ids["run_id"])) == ["bm25.original.csv", "bm25.original.trec"]
    stored = [path.read_bytes() for path in (tmp_path / "artifacts").rglob("bm25.original.trec")]
    assert stored == [Path(run_file).read_bytes()]  # under the configured artifact root


def test_track_run_marker_names_the_mlflow_run(tmp_path, mlflow_settings):
    run_file, metrics_file = _run_files(tmp_path, "bm25.translated")
    marker = tmp_path / "logged.json"
    steps.track_run("tiny", "bm25.translated", {}, metrics_file, [run_file], mlflow_settings, str(marker))
    text = marker.read_text(encoding="utf-8")
    ids = json.loads(text)
    assert list(ids) == sorted(ids) and text.endswith("}\n")
    experiment = _client(mlflow_settings).get_experiment(ids["experiment_id"])
    assert ids["experiment"] == experiment.name == "crossrank/tiny"
    assert ids["tracking_uri"] == mlflow_settings["tracking_uri"]
    assert _client(mlflow_settings).get_run(ids["run_id"]).info.experiment_id == ids["experiment_id"]


def test_a_dense_run_logs_what_its_embedding_jobs_resolved(tmp_path, mlflow_settings):
    run_name = "dense.minilm+qd.translated"
    run_file, metrics_file = _run_files(tmp_path, run_name)
    record = tmp_path / "embeddings" / "minilm.json"
    write_json(record, {"encoder": "minilm", "precision": "bfloat16", "devices": ["cuda:0", "cuda:1"], "shards": 2, "encoded": 7})
    params = {"embedding": {"precision": "auto", "device": "auto"}}
    marker = tmp_path / "logged.json"
    steps.track_run("tiny", run_name, params, metrics_file, [run_file], mlflow_settings, str(marker), [str(record)])

    ids = json.loads(marker.read_text(encoding="utf-8"))
    client = _client(mlflow_settings)
    run = client.get_run(ids["run_id"])
    assert run.data.params == {
        "embedding.precision": "auto",
        "embedding.device": "auto",
        "embedding.resolved.precision": "bfloat16",
        "embedding.resolved.devices": "['cuda:0', 'cuda:1']",
        "embedding.resolved.shards": "2",
    }
    assert params == {"embedding": {"precision": "auto", "device": "auto"}}  # the caller's settings are not changed
    assert (run.data.tags["system"], run.data.tags["condition"]) == ("dense.minilm+qd", "translated")
    assert (run.data.tags["encoder"], run.data.tags["finetune_level"], run.data.tags["dataset"]) == ("minilm", "qd", "tiny")
    assert sorted(a.path for a in client.list_artifacts(ids["run_id"])) == [f"{run_name}.csv", f"{run_name}.trec", "minilm.json"]


def test_every_run_is_tagged_for_the_compare_view_by_system_encoder_level_reranker_and_negatives():
    assert steps.run_tags(RunName.parse("bm25.original")) == {
        "run": "bm25.original",
        "system": "bm25",
        "condition": "original",
        "kind": "retrieval",
    }
    assert steps.run_tags(RunName.parse("ann.labse.translated"))["finetune_level"] == "none"
    reranked = steps.run_tags(RunName.parse("rerank.xlmr-hard-asis.dense.labse.original"))
    assert {k: reranked[k] for k in ("reranker", "rerank_mode", "first_stage", "encoder", "negatives")} == {
        "reranker": "xlmr-hard",
        "rerank_mode": "as_is",
        "first_stage": "dense.labse.original",
        "encoder": "xlmr",
        "negatives": "hard",
    }
    baseline = steps.run_tags(RunName.parse("rerank.none.bm25.original"))
    assert baseline["reranker"] == "none" and baseline["rerank_mode"] == "inject_gold" and "negatives" not in baseline
    fused = steps.run_tags(RunName.parse("fusion.rrf.bm25+dense.labse+qd.translated"))
    assert fused["fusion_method"] == "rrf" and fused["fusion_members"] == "bm25+dense.labse+qd" and "encoder" not in fused


def test_track_report_logs_every_runs_macro_metrics_of_the_dataset(tmp_path, mlflow_settings):
    frames = [metrics_frame("tiny", name, TABLE) for name in ("bm25.original", "dense.m.original")]
    other = {("all", "all", "recall@10"): (0.125, 1)}  # another dataset, sorted after "tiny", with a run of the same name
    frames += [metrics_frame("web", name, other) for name in ("bm25.original", "dense.x.original")]
    merged = tmp_path / "metrics.csv"
    write_metrics(str(merged), sort_metrics(pd.concat(frames, ignore_index=True)))
    table = tmp_path / "tables" / "translation.md"
    table.parent.mkdir()
    table.write_text("| a |\n", encoding="utf-8")
    marker = tmp_path / "report.json"
    steps.track_report("tiny", {"report": {"metric": "recall@10"}}, str(merged), [str(table)], mlflow_settings, str(marker))

    ids = json.loads(marker.read_text(encoding="utf-8"))
    client = _client(mlflow_settings)
    run = client.get_run(ids["run_id"])
    assert run.info.run_name == "report"
    assert run.data.params == {"report.metric": "recall@10"}
    assert run.data.metrics == {  # macro rows only, of this dataset only
        "bm25.original/recall_at_10": 0.75,
        "bm25.original/ndcg_at_10": 0.25,
        "dense.m.original/recall_at_10": 0.75,
        "dense.m.original/ndcg_at_10": 0.25,
    }
    assert (run.data.tags["kind"], run.data.tags["dataset"]) == ("report", "tiny")
    assert sorted(a.path for a in client.list_artifacts(ids["run_id"])) == ["metrics.csv", "translation.md"]


def test_a_fine_tuning_is_its_own_mlflow_run_and_its_encoders_runs_link_to_it(tmp_path, mlflow_settings):
    record = tmp_path / "finetune" / "minilm+qd.json"
    write_json(
        record,
        {
            "dataset": "tiny",
            "encoder": "minilm+qd",
            "base": "minilm",
            "level": "qd",
            "metric": "sequential_score",
            "best_epoch": 1,
            "curve": [{"epoch": 0, "score": 0.2}, {"epoch": 1, "score": 0.6}, {"epoch": 2, "score": 0.5}],
            "training_pairs": 900,
            "validation_pairs": 100,
            "seconds": 12.5,
            "device": "cpu",
        },
    )
    marker = tmp_path / "mlflow" / "finetune.json"
    params = {"encoder": {"name": "minilm", "max_length": 256}, "level": "qd", "finetune": {"epochs": 2, "learning_rate": 1e-5}}
    steps.track_finetune("tiny", "minilm+qd", params, str(record), mlflow_settings, str(marker))
    training = json.loads(marker.read_text(encoding="utf-8"))
    client = _client(mlflow_settings)
    run = client.get_run(training["run_id"])
    assert run.info.run_name == "finetune.minilm+qd" and run.data.tags["kind"] == "finetune" and run.data.tags["level"] == "qd"
    assert run.data.params["finetune.learning_rate"] == "1e-05" and run.data.params["encoder.max_length"] == "256"
    assert run.data.metrics["best_epoch"] == 1 and run.data.metrics["validation_best/sequential_score"] == 0.6
    assert run.data.metrics["seconds"] == 12.5 and run.data.metrics["training_pairs"] == 900
    history = client.get_metric_history(training["run_id"], "validation/sequential_score")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == [(0, 0.2), (1, 0.6), (2, 0.5)]
    assert [a.path for a in client.list_artifacts(training["run_id"])] == ["minilm+qd.json"]

    run_file, metrics_file = _run_files(tmp_path, "dense.minilm+qd.original")
    logged = tmp_path / "logged.json"
    steps.track_run("tiny", "dense.minilm+qd.original", {}, metrics_file, [run_file], mlflow_settings, str(logged), [], [str(marker)])
    evaluation = client.get_run(json.loads(logged.read_text(encoding="utf-8"))["run_id"])
    assert evaluation.data.tags["finetune_run_id"] == training["run_id"]
    assert evaluation.data.tags["finetune_experiment_id"] == training["experiment_id"]


def test_a_track_job_run_again_after_a_kill_writes_the_same_marker_and_leaves_one_mlflow_run(tmp_path, mlflow_settings):
    run_file, metrics_file = _run_files(tmp_path, "bm25.original")
    marker = tmp_path / "logged.json"
    steps.track_run("tiny", "bm25.original", {}, metrics_file, [run_file], mlflow_settings, str(marker))
    first = marker.read_bytes()
    client = _client(mlflow_settings)
    experiment_id = json.loads(first)["experiment_id"]
    client.create_run(experiment_id, run_name="bm25.original")  # a second job killed mid-logging
    marker.unlink()  # Snakemake removes the output of an incomplete job
    steps.track_run("tiny", "bm25.original", {}, metrics_file, [run_file], mlflow_settings, str(marker))
    assert marker.read_bytes() == first  # the same MLflow run: a downstream marker consumer sees no change
    runs = client.search_runs([experiment_id])
    assert [(r.info.run_id, r.info.status) for r in runs] == [(json.loads(first)["run_id"], "FINISHED")]
