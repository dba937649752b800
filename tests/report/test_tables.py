"""Tests of crossrank.report.tables: the translation table and its CSV and Markdown files."""

from __future__ import annotations

import pandas as pd

from crossrank.report.tables import translation_table, write_table


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
