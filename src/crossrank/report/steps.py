"""The steps of ``workflow/rules/report.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from crossrank.analyse.linguistic import FEATURE_SETS, correlations, pair_similarities
from crossrank.core.contract import MACRO
from crossrank.core.io import all_or_nothing, atomic_write, read_json
from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import read_metrics, read_query_metrics
from crossrank.report.ann_table import ann_table as ann_table_of
from crossrank.report.annotate import Uncertainty
from crossrank.report.bias_figure import language_bias_figure
from crossrank.report.document import report_markdown
from crossrank.report.figures import best_dense_system, grouped_bars, heatmaps
from crossrank.report.findings import Evidence
from crossrank.report.finetune_curves import curve_figure, curve_frame
from crossrank.report.finetune_tables import best_configurations, finetuning_table
from crossrank.report.html import report_html
from crossrank.report.linguistic_report import correlation_markdown, similarity_figure
from crossrank.report.paper_results import read_paper_results
from crossrank.report.rerank_table import reranking_table
from crossrank.report.significance_table import compare, intervals, readable
from crossrank.report.tables import bias_table, write_markdown, write_table
from crossrank.report.tables import translation_table as table3

Paths = Mapping[str, str]


def translation_table(metrics_path: str, metric: str, out_csv: str, out_markdown: str) -> None:
    """The paper's Table 3 (macro ``metric``, original vs translated) from the merged metrics."""
    table = table3(read_metrics([metrics_path]), metric)
    caption = f"Table 3: macro {metric} (%) over all language pairs, original vs English-translated documents."
    write_table(table, out_csv, out_markdown, caption)


def figures(
    metrics_path: str,
    dataset: str,
    metric: str,
    query_languages: Sequence[str],
    doc_languages: Sequence[str],
    conditions: Sequence[str],
    encoders: Sequence[str],
    pairs: Sequence[str],
    out_bm25: str,
    out_encoders: str,
) -> None:
    """Figure 3 (BM25 heatmaps per condition) and Figure 4 (encoders) of ``metric`` for one dataset.

    Highlighted ``pairs`` the dataset does not have (e.g. ar-ru in Large-Scale, whose queries
    are English) are left out of its figure.
    """
    metrics = read_metrics([metrics_path])
    metrics = metrics[metrics["dataset"] == dataset]
    if metric not in set(metrics["metric"]):
        raise ValueError(f"{metrics_path} has no {metric!r} rows for {dataset!r}; add it to evaluation.metrics")
    titles = [f"BM25, {c} documents" for c in conditions]
    bm25_runs = [str(RunName("bm25", c)) for c in conditions]
    heatmaps(metrics, bm25_runs, titles, query_languages, doc_languages, out_bm25, metric=metric)
    present = set(metrics["query_lang"] + "-" + metrics["doc_lang"])
    title = f"Dense encoders on {dataset}: {metric}"
    shown = [pair for pair in pairs if pair in present]
    systems = [RunName.search("dense", conditions[0], e).retriever for e in encoders]  # the same on every condition
    grouped_bars(metrics, systems, conditions, shown, out_encoders, title=title, metric=metric)


def bias_report(bias_csv: str, dataset: str, depth: int, run_names: Sequence[str], out: Paths) -> None:
    """A dataset's language-bias table (``out['csv']``, ``out['markdown']``) and figure (``out['figure']``)."""
    frame = pd.read_csv(bias_csv, keep_default_na=False, na_values=[""])
    caption = (
        f"Document-language bias on {dataset} (top {depth} documents per query): same-language % = share of retrieved "
        "documents in the query's language (uniform % = its share of the pool); <lang> % = share of each document language "
        "among the documents retrieved for queries whose relevant documents are in another language (uniform: its pool share)."
    )
    with all_or_nothing(out.values()):
        write_table(bias_table(frame), out["csv"], out["markdown"], caption)
        language_bias_figure(frame, run_names, out["figure"], title=f"Document-language bias on {dataset} (top {depth})")


def finetuning_tables(
    metrics_path: str, metric: str, encoders: Sequence[str], levels: Sequence[str], pairs: Sequence[str], out: Paths
) -> None:
    """The paper's Table 4 (``out['csv']``, ``out['markdown']``) and Table 5 (``out['best_csv']``, ``out['best_markdown']``)."""
    table = finetuning_table(read_metrics([metrics_path]), encoders, levels, pairs, metric)
    if table.empty:
        raise ValueError(f"{metrics_path} has no {metric!r} rows of the encoders {list(encoders)} or their fine-tuned runs")
    best = best_configurations(table, pairs)
    caption = (
        f"Table 4: {metric} (%) of exact dense search before (none) and after contrastive fine-tuning at each level, "
        "macro average over each dataset's language pairs and the highlighted pairs (empty: not a pair of the dataset)."
    )
    best_caption = (
        f"Table 5: the best encoder and level per dataset, for the average and each highlighted pair ({metric}, %); "
        "gain = over the same encoder without fine-tuning."
    )
    with all_or_nothing(out.values()):
        write_table(table, out["csv"], out["markdown"], caption)
        write_table(best, out["best_csv"], out["best_markdown"], best_caption)


def finetune_curves(record_paths: Sequence[str], out_csv: str, out_figure: str) -> None:
    """Every fine-tuning run's validation curve as a tidy CSV and a figure (datasets x levels)."""
    frame = curve_frame([read_json(path) for path in record_paths])
    with all_or_nothing([out_csv, out_figure]):
        with atomic_write(out_csv) as handle:
            frame.to_csv(handle, index=False, lineterminator="\n")
        curve_figure(frame, out_figure)


def rerank_table(
    metrics_path: str,
    rerankers: Sequence[str],
    metrics: Sequence[str],
    pairs: Sequence[str],
    queries_per_pair: Mapping[str, int],
    out_csv: str,
    out_markdown: str,
) -> None:
    """The paper's Table 6 (re-ranking) from the merged metrics; the caption says how many queries were re-ranked."""
    table = reranking_table(read_metrics([metrics_path]), rerankers, metrics, pairs)
    if table.empty:
        raise ValueError(f"{metrics_path} has no rows of re-ranked runs")
    sample = "; ".join(
        f"{name}: a seeded {count} re-ranked queries per language pair" if count else f"{name}: every evaluated query"
        for name, count in sorted(queries_per_pair.items())
    )
    caption = (
        f"Table 6: re-ranking the first stage's top candidates ({', '.join(metrics)}, %), on {sample}. none = the first stage's "
        "order of the same candidates (the baseline), chance = a seeded random order; inject_gold = the paper's candidates "
        "(a relevant document missing from the top k replaces rank k), as_is = the top k unchanged."
    )
    write_table(table, out_csv, out_markdown, caption)


def linguistic_table(metrics_path: str, metric: str, runs: Sequence[str], settings: Mapping[str, Any], out: Paths) -> None:
    """The paper's Table 8 from the merged metrics: Spearman's rho of pair similarity with ``metric``, per dataset and run.

    ``out`` names ``csv`` and ``markdown`` (the table), ``similarities`` (every evaluated pair's
    similarity per feature group) and ``figure`` (their scatter against the metric).
    """
    frame = read_metrics([metrics_path])
    shown = [run for run in runs if run in set(frame["run"])]
    if not shown:
        raise ValueError(f"{metrics_path} has none of Table 8's runs {list(runs)}")
    pairs = frame[(frame["run"].isin(shown)) & (frame["query_lang"] != MACRO)][["query_lang", "doc_lang"]].drop_duplicates()
    feature_sets = settings.get("feature_sets", FEATURE_SETS)
    similarities = pair_similarities(sorted(pairs.itertuples(index=False, name=None)), feature_sets, settings.get("codes", {}))
    found = correlations(frame, similarities, metric, shown)
    features = list(feature_sets)
    caption = (
        f"Table 8: Spearman correlation (x 100) between each language pair's {metric} and the lang2vec cosine similarity of its "
        f"two languages ({', '.join(f'{group}: {name}' for group, name in feature_sets.items())}; features missing in either "
        "language masked), per dataset and run over its language pairs; * p < 0.05; n/a: fewer than three pairs with a known "
        "similarity. The CSV gives rho, p and the number of pairs."
    )
    with all_or_nothing(out.values()):
        with atomic_write(out["csv"]) as handle:
            found.to_csv(handle, index=False, float_format="%.6f", lineterminator="\n")
        write_markdown(correlation_markdown(found, features), out["markdown"], caption)
        with atomic_write(out["similarities"]) as handle:
            similarities.to_csv(handle, index=False, float_format="%.6f", lineterminator="\n")
        similarity_figure(frame, similarities, metric, shown, out["figure"])


def significance_table(queries_path: str, comparisons: Sequence[Mapping[str, Any]], settings: Mapping[str, Any], out: Paths) -> None:
    """Each table's differences against its baseline, tested and bounded, and every run's macro intervals.

    ``out`` names ``csv`` and ``markdown`` (the comparisons) and ``intervals`` (every run's macro
    average per metric with its bootstrap interval).
    """
    queries = read_query_metrics([queries_path])
    if queries.empty:
        raise ValueError(f"{queries_path} holds no per-query values")
    found = compare(queries, comparisons, settings)
    confidence = settings.get("confidence", 0.95)
    caption = (
        f"Each table's differences against its baseline (table3: translated vs original documents; table4: a fine-tuned "
        f"encoder vs its base; table6: a re-ranker vs none, the first stage's order of the same candidates; fusion: a fused "
        f"run vs each of its members), over the queries "
        f"both runs evaluate: macro averages in %, the difference with its {confidence:.0%} bootstrap interval (queries "
        "resampled within language pairs, then macro-averaged), and the paired t-test's and paired randomization test's "
        "p-values, Holm-adjusted over the comparisons of one table, dataset and metric; significant: randomization p (Holm) "
        f"< {settings.get('alpha', 0.05)}."
    )
    with all_or_nothing(out.values()):
        with atomic_write(out["csv"]) as handle:
            found.to_csv(handle, index=False, float_format="%.6f", lineterminator="\n")
        write_markdown(readable(found), out["markdown"], caption if not found.empty else caption + " (no comparison applies)")
        with atomic_write(out["intervals"]) as handle:
            intervals(queries, settings).to_csv(handle, index=False, float_format="%.6f", lineterminator="\n")


def ann_table(metrics_path: str, metric: str, out_csv: str, out_markdown: str) -> None:
    """The paper's Table 7, recall half: every encoder's exact and HNSW ``metric``, and their average per dataset."""
    table = ann_table_of(read_metrics([metrics_path]), metric)
    if table.empty:
        raise ValueError(f"{metrics_path} has no pair of exact (dense.*) and HNSW (ann.*) runs of one encoder")
    caption = (
        f"Table 7 (recall): macro {metric} (%) of exact search and HNSW per encoder, and their average over the base encoders "
        "(the paper's row). The paper's time column is its normalised timestamps; ours is the efficiency study (seconds, "
        "queries per second) in results/efficiency/."
    )
    write_table(table, out_csv, out_markdown, caption)


def best_figure(metrics_path: str, dataset: str, metric: str, conditions: Sequence[str], pairs: Sequence[str], out_figure: str) -> None:
    """The paper's Figure 5: the best exact dense run of a dataset against BM25, per condition, average and highlighted pairs."""
    metrics = read_metrics([metrics_path])
    metrics = metrics[metrics["dataset"] == dataset]
    best = best_dense_system(metrics, dataset, metric)
    if best is None:
        raise ValueError(f"{metrics_path} has no exact dense run of {dataset!r} with {metric!r}")
    present = set(metrics["query_lang"] + "-" + metrics["doc_lang"])
    shown = [pair for pair in pairs if pair in present]
    title = f"Best dense run ({best}) against BM25 on {dataset}: {metric}"
    grouped_bars(metrics, ["bm25", best], conditions, shown, out_figure, title=title, metric=metric)


def findings_report(
    items: Sequence[Mapping[str, Any]], inputs: Mapping[str, Any], settings: Mapping[str, Any], out_markdown: str, out_html: str
) -> None:
    """``results/report.md`` and its self-contained ``report.html``: items, the paper's numbers, findings with verdicts.

    ``inputs`` names ``metrics``, ``queries``, ``significance``, ``intervals``, ``paper`` and
    ``bias`` (one CSV per dataset), and where they ran ``linguistic`` and ``efficiency``.
    """
    bias = pd.concat(
        [pd.read_csv(path).assign(dataset=name) for name, path in zip(settings["datasets"], inputs["bias"], strict=True)], ignore_index=True
    )
    optional = {key: pd.read_csv(inputs[key]) if inputs.get(key) else pd.DataFrame() for key in ("linguistic", "efficiency")}
    significance = pd.read_csv(inputs["significance"])
    evidence = Evidence(
        datasets=list(settings["datasets"]),
        metrics=read_metrics([inputs["metrics"]]),
        queries=read_query_metrics([inputs["queries"]]),
        significance=significance,
        linguistic=optional["linguistic"],
        bias=bias,
        efficiency=optional["efficiency"],
        metric=settings["metric"],
        rerank_metric=settings["rerank_metrics"][0],
        alpha=settings.get("alpha", 0.05),
        test_settings=settings.get("significance", {}),
    )
    uncertainty = Uncertainty(pd.read_csv(inputs["intervals"]), significance)
    text = report_markdown(items, evidence, uncertainty, read_paper_results(inputs["paper"]), settings, out_markdown)
    with all_or_nothing([out_markdown, out_html]):
        with atomic_write(out_markdown) as handle:
            handle.write(text)
        with atomic_write(out_html) as handle:
            handle.write(report_html(text, Path(out_markdown).parent, "crossrank: this run against the paper"))
