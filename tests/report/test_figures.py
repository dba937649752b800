from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossrank.evaluate.metrics import COLUMNS
from crossrank.report.figures import grouped_bars, heatmaps, pair_matrix
from crossrank.report.tables import translation_table, write_table


@pytest.fixture
def metrics() -> pd.DataFrame:
    rows = []
    for run, base in [("bm25.original", 0.1), ("bm25.translated", 0.3), ("dense.m.original", 0.5), ("dense.m.translated", 0.6)]:
        system, condition = run.rsplit(".", 1)
        rows.append(("d", run, system, condition, "all", "all", "recall@100", base, 20))
        rows.append(("d", run, system, condition, "en", "de", "recall@100", base + 0.05, 10))
        rows.append(("d", run, system, condition, "de", "en", "recall@100", base - 0.05, 10))
        rows.append(("d", run, system, condition, "all", "all", "ndcg@100", 0.9, 20))
    return pd.DataFrame(rows, columns=COLUMNS)


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


def test_pair_matrix_places_query_rows_and_document_columns(metrics):
    matrix = pair_matrix(metrics, "bm25.original", "recall@100", ["de", "en"])
    assert matrix[1, 0] == pytest.approx(0.15)  # en -> de
    assert matrix[0, 1] == pytest.approx(0.05)  # de -> en
    assert np.isnan(matrix[0, 0])


def test_figures_are_written_as_png(metrics, tmp_path):
    heatmaps(metrics, ["bm25.original", "bm25.translated"], ["a", "b"], ["de", "en"], ["de", "en"], tmp_path / "h.png")
    grouped_bars(metrics, ["dense.m"], ["original", "translated"], ["en-de"], tmp_path / "b.png", title="t")
    for name in ("h.png", "b.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
