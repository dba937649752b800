"""Tests of crossrank.report.figures: pair matrices, heatmaps and grouped bars."""

from __future__ import annotations

import numpy as np
import pytest

from crossrank.report.figures import grouped_bars, heatmaps, pair_matrix


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
