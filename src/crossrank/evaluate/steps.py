"""The steps of ``workflow/rules/evaluate.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core import contract
from crossrank.core.io import write_json
from crossrank.core.runs import read_run
from crossrank.evaluate.metrics import evaluate_run, macro_summary, metrics_frame, read_metrics, write_metrics


def evaluate(
    run_path: str, qrels_path: str, topics_path: str, dataset: str, run_name: str, settings: Mapping[str, Any], out_metrics: str
) -> None:
    """Per-pair and macro metrics of one run.

    ``settings``: ``metrics``, ``relevance_level`` and the dataset's ``relevance`` mode
    (``threshold`` when absent), as :meth:`crossrank.plan.Plan.evaluation` gives them.
    """
    table = evaluate_run(
        read_run(run_path),
        contract.read_qrels(qrels_path),
        contract.read_topics(topics_path),
        settings["metrics"],
        settings["relevance_level"],
        settings.get("relevance", "threshold"),
    )
    write_metrics(out_metrics, metrics_frame(dataset, run_name, table))


def collect_metrics(paths: Sequence[str], out_metrics: str, out_summary: str) -> None:
    """Merge per-run metric tables into ``results/metrics.csv``; macro averages into a JSON summary."""
    frame = read_metrics(paths)
    write_metrics(out_metrics, frame)
    write_json(out_summary, macro_summary(frame))
