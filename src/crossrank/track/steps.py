"""The steps of ``workflow/rules/track.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from crossrank.core.contract import MACRO
from crossrank.core.io import read_json, write_json
from crossrank.core.provenance import git_commit
from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import read_metrics
from crossrank.rerank.candidates import NO_MODEL, split_reranker
from crossrank.track.mlflow_store import RunRecord, log_run, pair_metrics, run_key

log = logging.getLogger("crossrank")


def _log_and_mark(dataset: str, record: RunRecord, mlflow_settings: Mapping[str, Any], out_marker: str) -> None:
    """Log ``record`` in the dataset's experiment, tagged with the dataset and the git commit, and write its ids to ``out_marker``."""
    tagged = replace(record, tags={"dataset": dataset, **record.tags, **git_commit(Path.cwd())})
    experiment = f"{mlflow_settings['experiment_prefix']}/{dataset}"
    ids = log_run(mlflow_settings["tracking_uri"], mlflow_settings["artifact_root"], experiment, tagged)
    write_json(out_marker, ids)
    log.info("logged %s/%s to MLflow run %s", dataset, record.name, ids["run_id"])


def run_tags(run: RunName) -> dict[str, str]:
    """The tags that line a run up with the others in MLflow's compare view: system, condition and, where they
    apply, its encoder, fine-tuning level, re-ranker (and mode, first stage, base encoder, negatives), fusion method and members."""
    tags = {"run": str(run), "system": run.retriever, "condition": run.condition, "kind": "retrieval"}
    if run.system in ("dense", "ann"):
        tags |= {"encoder": str(run.model), "finetune_level": run.variant or "none"}
    elif run.system == "rerank":
        reranker, mode = split_reranker(str(run.model))
        tags |= {"reranker": reranker, "rerank_mode": mode, "first_stage": str(run.first_stage[0])}
        if reranker not in NO_MODEL:
            encoder, negatives = reranker.rsplit("-", 1)
            tags |= {"encoder": encoder, "negatives": negatives}
    elif run.system == "fusion":
        tags |= {"fusion_method": str(run.model), "fusion_members": "+".join(stage.retriever for stage in run.first_stage)}
    return tags


def track_run(
    dataset: str,
    run_name: str,
    params: Mapping[str, Any],
    run_metrics: str,
    artifacts: Sequence[str],
    mlflow_settings: Mapping[str, Any],
    out_marker: str,
    embedding_records: Sequence[str] = (),
    training_markers: Sequence[str] = (),
) -> None:
    """Log one retrieval run (params, macro and per-pair metrics, run file) to MLflow.

    A dense or HNSW run also logs what its embedding jobs resolved ``auto`` to (precision,
    devices), from the encoder's embedding record (``embedding_records``: none for BM25). A run
    of a fine-tuned encoder is tagged with its training's MLflow run (``training_markers``: the
    marker :func:`track_finetune` wrote), so the MLflow UI links the two.
    """
    params = dict(params)
    for path in embedding_records:
        resolved = json.loads(Path(path).read_text(encoding="utf-8"))
        params["embedding"] = {**params.get("embedding", {}), "resolved": {k: resolved[k] for k in ("precision", "devices", "shards")}}
    run = RunName.parse(run_name)
    metrics = pair_metrics(read_metrics([run_metrics]))
    tags = run_tags(run)
    for path in training_markers:  # the MLflow run of the training behind the run's model (fine-tuning or cross-encoder)
        training = read_json(path)
        kind = "rerank" if run.system == "rerank" else "finetune"
        tags.update({f"{kind}_run_id": training["run_id"], f"{kind}_experiment_id": training["experiment_id"]})
    artifacts = [*artifacts, run_metrics, *embedding_records]
    _log_and_mark(dataset, RunRecord(run_name, params, metrics, artifacts, tags), mlflow_settings, out_marker)


def track_report(
    dataset: str,
    params: Mapping[str, Any],
    metrics_path: str,
    artifacts: Sequence[str],
    mlflow_settings: Mapping[str, Any],
    out_marker: str,
) -> None:
    """Log a dataset's tables and figures, with every run's macro metrics, as its ``report`` run."""
    frame = read_metrics([metrics_path])
    macro = frame[(frame["dataset"] == dataset) & (frame["query_lang"] == MACRO)]
    metrics: dict[str, float] = {}
    for run_name, rows in macro.groupby("run"):
        metrics.update(pair_metrics(rows, prefix=f"{run_key(run_name)}/"))
    record = RunRecord("report", params, metrics, [*artifacts, metrics_path], {"kind": "report"})
    _log_and_mark(dataset, record, mlflow_settings, out_marker)


def track_finetune(
    dataset: str, tuned_name: str, params: Mapping[str, Any], record_path: str, mlflow_settings: Mapping[str, Any], out_marker: str
) -> None:
    """Log one fine-tuning as its own MLflow run: settings, the validation score per epoch, best epoch, sizes and wall time."""
    record = read_json(record_path)
    metric = record["metric"]
    best = next(point["score"] for point in record["curve"] if point["epoch"] == record["best_epoch"])
    metrics = {
        "best_epoch": float(record["best_epoch"]),
        f"validation_best/{metric}": float(best),
        "training_pairs": float(record["training_pairs"]),
        "validation_pairs": float(record["validation_pairs"]),
        "seconds": float(record["seconds"]),
    }
    series = {f"validation/{metric}": [(int(point["epoch"]), float(point["score"])) for point in record["curve"]]}
    tags = {"run": f"finetune.{tuned_name}", "encoder": tuned_name, "base": record["base"], "level": record["level"], "kind": "finetune"}
    _log_and_mark(dataset, RunRecord(f"finetune.{tuned_name}", params, metrics, [record_path], tags, series), mlflow_settings, out_marker)


def track_rerank(
    dataset: str, reranker: str, params: Mapping[str, Any], record_path: str, mlflow_settings: Mapping[str, Any], out_marker: str
) -> None:
    """Log one cross-encoder training as its own MLflow run: settings, eval loss per epoch, best epoch, sizes and wall time."""
    record = read_json(record_path)
    metrics = {
        "best_epoch": float(record["best_epoch"]),
        "training_examples": float(record["training_examples"]),
        "validation_examples": float(record["validation_examples"]),
        "seconds": float(record["seconds"]),
    }
    series = {"eval_loss": [(int(point["epoch"]), float(point["loss"])) for point in record["eval_loss"]]}
    tags = {"run": f"rerank_train.{reranker}", "reranker": reranker, "kind": "rerank_train"}
    if "examples" in record:  # where the negatives came from, and how many of those wanted were found
        metrics |= {f"negatives_{key}": float(record["examples"][f"negatives_{key}"]) for key in ("found", "wanted")}
        tags["negatives_source"] = record["examples"]["source"]
    run = RunRecord(f"rerank_train.{reranker}", params, metrics, [record_path], tags, series)
    _log_and_mark(dataset, run, mlflow_settings, out_marker)
