"""Tables in the paper's layout, as CSV (for scripts) and Markdown (for reading)."""

from __future__ import annotations

import os

import pandas as pd

from crossrank.core.io import atomic_write
from crossrank.core.markdown import markdown
from crossrank.evaluate.metrics import MACRO


def translation_table(metrics: pd.DataFrame, metric: str = "recall@100") -> pd.DataFrame:
    """The paper's Table 3: macro ``metric`` (in %) per dataset and system, original vs translated."""
    macro = metrics[(metrics["query_lang"] == MACRO) & (metrics["metric"] == metric)]
    table = macro.pivot_table(index=["dataset", "system"], columns="condition", values="value", aggfunc="first") * 100
    table = table.reindex(columns=[c for c in ("original", "translated") if c in table.columns])
    if {"original", "translated"} <= set(table.columns):
        table["difference"] = table["translated"] - table["original"]
    return table.round(1).reset_index()


def write_table(table: pd.DataFrame, csv_path: str | os.PathLike[str], markdown_path: str | os.PathLike[str], caption: str) -> None:
    """Write ``table`` as CSV and as a Markdown table preceded by ``caption``."""
    with atomic_write(csv_path) as handle:
        table.to_csv(handle, index=False, float_format="%.1f", lineterminator="\n")
    write_markdown(table, markdown_path, caption)


def write_markdown(table: pd.DataFrame, markdown_path: str | os.PathLike[str], caption: str) -> None:
    """Write ``table`` as a Markdown table preceded by ``caption`` (numbers to one decimal)."""
    with atomic_write(markdown_path) as handle:
        handle.write(f"{caption}\n\n{markdown(table)}\n")
