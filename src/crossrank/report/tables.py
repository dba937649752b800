"""Tables in the paper's layout, as CSV (for scripts) and Markdown (for reading): Table 3 and the language-bias summary."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from crossrank.analyse.language_bias import RETRIEVED_LANGUAGE, SAME_LANGUAGE, macro_rows
from crossrank.core.contract import MACRO
from crossrank.core.io import atomic_write
from crossrank.core.markdown import markdown


def translation_table(metrics: pd.DataFrame, metric: str = "recall@100") -> pd.DataFrame:
    """The paper's Table 3: macro ``metric`` (in %) per dataset and system, original vs translated.

    Re-ranked runs are Table 6's: they score a sample of the queries, so they are left out here.
    """
    macro = metrics[(metrics["query_lang"] == MACRO) & (metrics["metric"] == metric) & ~metrics["system"].str.startswith("rerank.")]
    table = macro.pivot_table(index=["dataset", "system"], columns="condition", values="value", aggfunc="first") * 100
    table = table.reindex(columns=[c for c in ("original", "translated") if c in table.columns])
    if {"original", "translated"} <= set(table.columns):
        table["difference"] = table["translated"] - table["original"]
    return table.round(1).reset_index()


def bias_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Readable wide summary for Markdown: one row per run, in %, rounded to 1 decimal.

    Columns: ``run``; ``same-language %`` (macro ``same_language``) and ``uniform %`` (its
    expectation); then, per pool language L, ``L %``: the share of L among the documents
    retrieved for cross-language queries (macro over query languages). Runs without
    cross-language queries have empty language cells.
    """
    same = macro_rows(frame, SAME_LANGUAGE).set_index("run")
    retrieved = macro_rows(frame, RETRIEVED_LANGUAGE)
    runs = sorted(set(same.index) | set(retrieved["run"]))
    languages = sorted(set(retrieved["doc_lang"]))
    table = pd.DataFrame({"run": runs})
    table["same-language %"] = [float(same.at[r, "value"]) * 100 if r in same.index else np.nan for r in runs]
    table["uniform %"] = [float(same.at[r, "expected"]) * 100 if r in same.index else np.nan for r in runs]
    shares = {(r, lang): float(v) * 100 for r, lang, v in retrieved[["run", "doc_lang", "value"]].itertuples(index=False)}
    for lang in languages:
        table[f"{lang} %"] = [shares.get((r, lang), np.nan) for r in runs]
    return table.round(1)


def write_table(table: pd.DataFrame, csv_path: str | os.PathLike[str], markdown_path: str | os.PathLike[str], caption: str) -> None:
    """Write ``table`` as CSV and as a Markdown table preceded by ``caption``."""
    with atomic_write(csv_path) as handle:
        table.to_csv(handle, index=False, float_format="%.1f", lineterminator="\n")
    write_markdown(table, markdown_path, caption)


def write_markdown(table: pd.DataFrame, markdown_path: str | os.PathLike[str], caption: str) -> None:
    """Write ``table`` as a Markdown table preceded by ``caption`` (numbers to one decimal)."""
    with atomic_write(markdown_path) as handle:
        handle.write(f"{caption}\n\n{markdown(table)}\n")
