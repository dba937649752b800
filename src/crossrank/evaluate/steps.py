"""The steps of ``workflow/rules/evaluate.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core.io import all_or_nothing, atomic_directory, write_json
from crossrank.evaluate.inputs import checked_inputs
from crossrank.evaluate.metrics import (
    metrics_frame,
    pair_table,
    pair_tables,
    query_frame,
    query_values,
    read_metrics,
    read_query_metrics,
    run_summaries,
    write_metrics,
)


def evaluate(
    run_path: str,
    qrels_path: str,
    topics_path: str,
    docs_path: str,
    dataset: str,
    run_name: str,
    settings: Mapping[str, Any],
    out_metrics: str,
    out_queries: str,
) -> None:
    """Per-pair and macro metrics of one run, and every query's value (for significance tests and intervals).

    ``settings``: ``metrics``, ``relevance_level`` and the dataset's ``relevance`` mode
    (``threshold`` when absent), as :meth:`crossrank.plan.Plan.evaluation` gives them. The run, qrels, topics and
    pool (``docs_path``) are checked against each other first (:func:`crossrank.evaluate.inputs.checked_inputs`).
    """
    run, qrels, topics = checked_inputs(run_path, qrels_path, topics_path, docs_path)
    per_query, judged = query_values(
        run,
        qrels,
        topics,
        settings["metrics"],
        settings["relevance_level"],
        settings.get("relevance", "threshold"),
    )
    with all_or_nothing([out_metrics, out_queries]):
        write_metrics(out_metrics, metrics_frame(dataset, run_name, pair_table(per_query, judged, settings["metrics"])))
        write_metrics(out_queries, query_frame(dataset, run_name, per_query, judged))


def collect_metrics(
    paths: Sequence[str], query_paths: Sequence[str], out_metrics: str, out_summary: str, out_queries: str, out_pairs: str
) -> None:
    """Merge per-run metric tables into ``results/metrics.csv`` and the per-query tables into ``results/per_query.csv``;
    write each run's macro averages as ``{out_summary}/{dataset}/{run}.json`` (``dvc metrics show``: one row per run)
    and its per-pair values as ``{out_pairs}/{dataset}/{run}.csv`` (``dvc plots``: one row per language pair).

    Both directories are replaced whole, so a run no longer configured leaves no file behind.
    """
    frame = read_metrics(paths)
    with all_or_nothing([out_metrics, out_summary, out_queries, out_pairs]):
        write_metrics(out_metrics, frame)
        with atomic_directory(out_summary) as staging:
            for (dataset, run), summary in run_summaries(frame).items():
                write_json(staging / dataset / f"{run}.json", summary)
        with atomic_directory(out_pairs) as staging:
            for (dataset, run), table in pair_tables(frame).items():
                write_metrics(str(staging / dataset / f"{run}.csv"), table)
        write_metrics(out_queries, read_query_metrics(query_paths))
