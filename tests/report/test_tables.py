"""Tests of crossrank.report.tables: the translation table, the language-bias summary, and their CSV and Markdown files."""

from __future__ import annotations

import factories
import pandas as pd
import pytest

from crossrank.analyse.language_bias import language_bias
from crossrank.report.tables import bias_table, translation_table, write_table

POOL = factories.six_document_pool()


def test_translation_table_is_macro_recall_in_percent(metrics):
    table = translation_table(metrics)
    assert list(table.columns) == ["dataset", "system", "original", "translated", "difference"]
    bm25 = table[table["system"] == "bm25"].iloc[0]
    assert (bm25["original"], bm25["translated"], bm25["difference"]) == (10.0, 30.0, 20.0)


def test_write_table_markdown_aligns_numbers_right(metrics, tmp_path):
    write_table(translation_table(metrics), tmp_path / "t.csv", tmp_path / "t.md", "Caption.")
    lines = (tmp_path / "t.md").read_text().splitlines()
    assert lines[0] == "Caption."
    assert lines[3] == "|---|---|---:|---:|---:|"
    assert "| d | dense.m | 50.0 | 60.0 | 10.0 |" in lines
    assert pd.read_csv(tmp_path / "t.csv").shape == (2, 5)


def test_bias_table_is_one_row_per_run_in_percent(bias_frame):
    other = language_bias("tiny", "bm25.original", {"q2": {"e2": 1.0, "g1": 0.5}}, POOL.topics, POOL.doc_langs, depth=2)
    table = bias_table(pd.concat([bias_frame, other], ignore_index=True))
    assert list(table.columns) == ["run", "same-language %", "uniform %", "de %", "en %", "fr %"]
    assert list(table["run"]) == ["bm25.original", "dense.m.original"]
    dense = table.iloc[1].tolist()
    assert dense == ["dense.m.original", 62.5, 41.7, 50.0, 25.0, 25.0]
    bm25 = table.iloc[0]
    assert (bm25["same-language %"], bm25["uniform %"]) == (50.0, 50.0)
    assert bm25[["de %", "en %", "fr %"]].isna().all()  # no cross-language query retrieved anything


def test_bias_table_refuses_several_datasets(bias_frame):
    with pytest.raises(ValueError, match="several datasets"):
        bias_table(pd.concat([bias_frame, bias_frame.assign(dataset="other")], ignore_index=True))


def test_translation_table_leaves_re_ranked_runs_to_table_6(metrics):
    reranked = metrics[metrics["run"] == "bm25.original"].assign(run="rerank.none.bm25.original", system="rerank.none.bm25")
    table = translation_table(pd.concat([metrics, reranked], ignore_index=True))
    assert list(table["system"]) == ["bm25", "dense.m"]
