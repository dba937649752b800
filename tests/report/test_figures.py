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


def test_grouped_bars_draw_each_system_s_macro_and_pair_values_per_condition(metrics, tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    drawn = []
    real_bar = Axes.bar

    def spy(self, positions, heights, *args, **kwargs):
        drawn.append((kwargs.get("label"), [None if np.isnan(h) else round(float(h), 6) for h in heights]))
        return real_bar(self, positions, heights, *args, **kwargs)

    monkeypatch.setattr(Axes, "bar", spy)
    grouped_bars(metrics, ["bm25", "dense.m"], ["original", "translated"], ["en-de", "fr-de"], tmp_path / "b.png", title="t")
    # Per condition (original, then translated), per system: the macro average, en-de, and fr-de (absent), in %.
    assert drawn == [
        ("bm25", [10.0, 15.0, None]),
        ("dense.m", [50.0, 55.0, None]),
        ("bm25", [30.0, 35.0, None]),
        ("dense.m", [60.0, 65.0, None]),
    ]


def _width_inches(path) -> float:
    import matplotlib.image

    return matplotlib.image.imread(path).shape[1] / 150  # save_figure's dpi


def test_the_papers_figures_fit_a_papers_text_width(metrics, tmp_path):
    from crossrank.core.figures import PAPER_WIDTH

    eight = ["ar", "de", "en", "es", "fr", "ja", "ru", "zh"]
    heatmaps(metrics, ["bm25.original", "bm25.translated"], ["a", "b"], eight, eight, tmp_path / "h8.png")
    many = [f"l{i:02d}" for i in range(25)]
    heatmaps(metrics, ["bm25.original", "bm25.translated"], ["a", "b"], ["en"], many, tmp_path / "h25.png")
    systems = ["bm25", "dense.m", "dense.m+qd"]
    grouped_bars(metrics, systems, ["original", "translated"], ["en-de", "fr-de", "de-en", "en-fr"], tmp_path / "b.png", title="t")
    for name in ("h8.png", "h25.png", "b.png"):
        assert _width_inches(tmp_path / name) <= PAPER_WIDTH + 0.2, name  # + the tight bbox's 0.1 in padding each side
