"""Tables 3, 4 and 6 with their uncertainty: each macro cell with its bootstrap interval, marked where it differs
significantly from the table's named baseline (original documents, no fine-tuning, the first stage's order)."""

from __future__ import annotations

import pandas as pd

from crossrank.core.run_name import RunName
from crossrank.rerank.candidates import AS_IS_SUFFIX

MARK = "†"


class Uncertainty:
    """Look-ups into ``results/tables/intervals.csv`` and ``results/tables/significance.csv``."""

    def __init__(self, intervals: pd.DataFrame, significance: pd.DataFrame) -> None:
        self._intervals = {(r.dataset, r.run, r.metric): (r.value, r.low, r.high) for r in intervals.itertuples(index=False)}
        significant = (
            significance[significance["significant"].astype(str).str.lower() == "true"] if not significance.empty else significance
        )
        self._significant = {(r.table, r.dataset, r.run, r.metric) for r in significant.itertuples(index=False)}

    def cell(self, dataset: str, run: str, metric: str, fallback: float | None = None, table: str | None = None) -> str:
        """``33.5 [31.0, 36.1]†``: the macro value in % with its interval, and the mark when it differs significantly
        from its baseline in ``table``'s comparisons (``table3``, ``table4``, ``table6``, ``fusion``; no mark without one)."""
        found = self._intervals.get((dataset, run, metric))
        if found is None:
            return "" if fallback is None or pd.isna(fallback) else f"{fallback:.1f}"
        value, low, high = (100 * x for x in found)
        mark = MARK if (table, dataset, run, metric) in self._significant else ""
        return f"{value:.1f} [{low:.1f}, {high:.1f}]{mark}"


def translation_cells(table: pd.DataFrame, uncertainty: Uncertainty, metric: str) -> pd.DataFrame:
    """Table 3 with intervals; a translated cell is marked when it differs significantly from the original."""
    shown = table.copy().astype(object)
    for index, row in table.iterrows():
        for condition in ("original", "translated"):
            if condition in table.columns:
                run = str(RunName.join(row["system"], condition))
                shown.at[index, condition] = uncertainty.cell(row["dataset"], run, metric, row[condition], "table3")
    return shown


def _tuned(encoder: str, level: str) -> str:
    return encoder if level == "none" else f"{encoder}+{level}"


def finetuning_cells(table: pd.DataFrame, uncertainty: Uncertainty, metric: str) -> pd.DataFrame:
    """Table 4 with intervals on the averages; a level's average is marked when it differs significantly from none."""
    shown = table.copy().astype(object)
    for index, row in table.iterrows():
        run = str(RunName.search("dense", row["condition"], _tuned(row["encoder"], row["level"])))
        shown.at[index, "average"] = uncertainty.cell(row["dataset"], run, metric, row["average"], "table4")
    return shown


def reranking_cells(table: pd.DataFrame, uncertainty: Uncertainty, metrics: list[str]) -> pd.DataFrame:
    """Table 6 with intervals on the averages; a re-ranker's average is marked when it differs significantly from none."""
    shown = table.copy().astype(object)
    for index, row in table.iterrows():
        model = row["reranker"] + (AS_IS_SUFFIX if row["mode"] == "as_is" else "")
        run = str(RunName("rerank", row["condition"], model, first_stage=(RunName.join(row["first_stage"], row["condition"]),)))
        for metric in metrics:
            column = f"{metric} average"
            if column in table.columns:
                shown.at[index, column] = uncertainty.cell(row["dataset"], run, metric, row[column], "table6")
    return shown


def fusion_cells(metrics: pd.DataFrame, uncertainty: Uncertainty, metric: str) -> pd.DataFrame:
    """Every fused run beside its members (macro ``metric`` with intervals); the fusion is marked where it differs
    significantly from each member."""
    rows = []
    for dataset, run in sorted(set(zip(metrics["dataset"], metrics["run"], strict=True))):
        parsed = RunName.parse(run)
        if parsed.system != "fusion":
            continue
        members = " / ".join(uncertainty.cell(dataset, str(member), metric) for member in parsed.first_stage)
        rows.append((dataset, parsed.condition, str(parsed.model), " + ".join(m.retriever for m in parsed.first_stage), members,
                     uncertainty.cell(dataset, run, metric, table="fusion")))  # fmt: skip
    return pd.DataFrame(rows, columns=["dataset", "condition", "method", "members", "members' values", "fused"])


def best_cells(table: pd.DataFrame, uncertainty: Uncertainty, metric: str) -> pd.DataFrame:
    """Table 5 with the interval on each average (the per-pair values are one pair's mean, not a macro average)."""
    shown = table.copy().astype(object)
    for index, row in table.iterrows():
        if row["measure"] == "average":
            run = str(RunName.search("dense", row["condition"], _tuned(row["encoder"], row["level"])))
            shown.at[index, "value"] = uncertainty.cell(row["dataset"], run, metric, row["value"])
    return shown


def ann_cells(table: pd.DataFrame, uncertainty: Uncertainty, metric: str) -> pd.DataFrame:
    """Table 7 with intervals on each encoder's exact and HNSW averages (the rows averaging encoders have none)."""
    shown = table.copy().astype(object)
    for index, row in table.iterrows():
        if not str(row["encoder"]).startswith("average"):
            for column, system in (("exact", "dense"), ("hnsw", "ann")):
                run = str(RunName.search(system, row["condition"], row["encoder"]))
                shown.at[index, column] = uncertainty.cell(row["dataset"], run, metric, row[column])
    return shown
