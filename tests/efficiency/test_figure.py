from __future__ import annotations

import itertools

import pandas as pd

from crossrank.efficiency import figure
from crossrank.efficiency.figure import efficiency_figure


def test_efficiency_figure_writes_a_png(study, tmp_path):
    path = tmp_path / "figure.png"
    efficiency_figure(study, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _drawn(monkeypatch, frame: pd.DataFrame, tmp_path):
    saved = []
    monkeypatch.setattr(figure, "save_figure", lambda fig, path: saved.append(fig))
    efficiency_figure(frame, tmp_path / "figure.png", "test")
    (fig,) = saved
    fig.canvas.draw()
    return fig


def _texts(fig):
    """Every visible, non-empty text of the figure: titles, axis and tick labels, annotations, the legend."""
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]  # ticks outside the view are not drawn
        texts += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
    for legend in fig.legends:
        texts += [legend.get_title(), *legend.get_texts()]
    return [t for t in texts if t.get_visible() and t.get_text()]


def test_no_two_texts_overlap_even_where_curves_coincide(monkeypatch, study, tmp_path):
    """Two sizes measured alike draw one curve over the other: the figure still shows no text over another."""
    twin = study[study["size"] == study["size"].min()].assign(size=study["size"].min() + 1)
    fig = _drawn(monkeypatch, pd.concat([study, twin], ignore_index=True), tmp_path)
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    overlapping = [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]
    assert not overlapping


def test_every_effective_ef_is_named(monkeypatch, study, tmp_path):
    fig = _drawn(monkeypatch, study, tmp_path)
    legend = {t.get_text() for legend in fig.legends for t in legend.get_texts()}
    efs = sorted({int(ef) for ef in study.loc[study["method"] == "hnsw", "ef_effective"]})
    assert {f"HNSW ef {ef}" for ef in efs} <= legend, legend
    sizes = sorted(study["size"].unique())
    assert sum(1 for text in legend if text.endswith(")") and " docs (" in text) == len(sizes)
