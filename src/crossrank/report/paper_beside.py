"""The paper's published cells with this run's value beside each, where this run has the same dataset and run."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.report.findings import Evidence
from crossrank.report.paper_results import ACROSS, AVERAGE, PAPER_DATASETS, printed

NOT_RUN = "—"


def our_metric(paper_metric: str, evidence: Evidence) -> str:
    """The metric of ours that a paper's column reports: its Recall@100 and Recall@10 are this run's primary and
    re-ranking metrics (``report.metric``, ``report.rerank_metrics``: success@k under the paper overlay, as its
    section 3.3 defines them); any other metric is compared by name."""
    return {"recall@100": evidence.metric, "recall@10": evidence.rerank_metric}.get(paper_metric, paper_metric)


def _ours_metric(row: pd.Series, evidence: Evidence) -> float | None:
    query_lang, doc_lang = (MACRO, MACRO) if row["pair"] == AVERAGE else row["pair"].split("-", 1)
    metrics = evidence.metrics
    system = row["system"]
    if system in ("dense", "ann"):  # Table 7: the mean over this run's base encoders (the paper's five)
        runs = [
            str(r) for r in evidence.runs(row["dataset"]) if r.system == system and r.variant is None and r.condition == row["condition"]
        ]
    else:
        runs = [f"{system}.{row['condition']}"]
    values = metrics[
        (metrics["dataset"] == row["dataset"])
        & (metrics["run"].isin(runs))
        & (metrics["metric"] == our_metric(row["metric"], evidence))
        & (metrics["query_lang"] == query_lang)
        & (metrics["doc_lang"] == doc_lang)
    ]["value"]
    return float(values.mean()) * 100 if len(values) else None


def _ours_correlation(row: pd.Series, evidence: Evidence, groups: Mapping[str, str]) -> float | None:
    table = evidence.linguistic
    if table.empty:
        return None
    group = groups.get(row["feature"], row["feature"])
    rows = table[table["feature"] == group]
    if row["dataset"] == ACROSS:  # the paper's average over its datasets and models: ours over the same datasets
        rows = rows[rows["dataset"].isin(PAPER_DATASETS)]
    else:
        rows = rows[(rows["dataset"] == row["dataset"]) & (rows["run"] == f"{row['system']}.{row['condition']}")]
    values = rows["spearman"].dropna()
    return float(values.mean()) * 100 if len(values) else None


def beside(paper: pd.DataFrame, evidence: Evidence, feature_groups: Mapping[str, str]) -> pd.DataFrame:
    """``paper``'s cells (one ref) as printed, with ``ours``: this run's value in the same unit, or — where not run.

    ``feature_groups`` maps the report's Table 8 groups to lang2vec feature sets
    (``report.linguistic.feature_sets``); correlations are compared x 100, as the paper prints them.
    Times are not compared: the paper's are normalised timestamps (its appendix E.1); the
    efficiency study reports seconds.
    """
    to_group = {name: group for group, name in feature_groups.items()}
    ours = []
    for _, row in paper.iterrows():
        value = None
        if row["dataset"] in evidence.datasets or row["dataset"] == ACROSS:
            if row["unit"] == "rho":
                value = _ours_correlation(row, evidence, to_group)
            elif row["unit"] == "percent":
                value = _ours_metric(row, evidence)
        ours.append(NOT_RUN if value is None else f"{value:.1f}")
    shown = pd.DataFrame(
        {
            "dataset": paper["dataset"],
            "system": paper["system"],
            "condition": paper["condition"],
            "pair": paper["pair"],
            "metric": [
                metric
                + (f" ({feature})" if feature else "")
                + ("" if our_metric(metric, evidence) == metric else f" (ours: {our_metric(metric, evidence)})")
                for metric, feature in zip(paper["metric"], paper["feature"], strict=True)
            ],
            "paper": [printed(v) for v in paper["value"]],
            "ours": ours,
        }
    )
    return shown.reset_index(drop=True)
