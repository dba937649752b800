"""Tests of crossrank.report.bias_figure: the language-bias figure of the six-document pool's runs."""

from __future__ import annotations

import itertools

import factories
import pandas as pd
import pytest

from crossrank.analyse.language_bias import SAME_LANGUAGE, language_bias
from crossrank.core.contract import MACRO
from crossrank.report import bias_figure
from crossrank.report.bias_figure import language_bias_figure

POOL = factories.six_document_pool()
DOC_LANGS, TOPICS, RUN = POOL.doc_langs, POOL.topics, POOL.run


def test_figure_is_written_as_png_and_skips_absent_runs(bias_frame, tmp_path):
    other = language_bias("tiny", "bm25.original", {"q2": {"e2": 1.0}}, TOPICS, DOC_LANGS, depth=2)  # no cross-language rows
    both = pd.concat([bias_frame, other], ignore_index=True)
    language_bias_figure(both, ["dense.m.original", "absent.original", "bm25.original"], tmp_path / "fig" / "bias.png", title="t")
    assert (tmp_path / "fig" / "bias.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="none of the runs"):
        language_bias_figure(both, ["absent.original"], tmp_path / "none.png", title="t")
    assert not (tmp_path / "none.png").exists()


def _drawn_figure(monkeypatch, frame: pd.DataFrame, runs: list[str], tmp_path):
    """The figure as :func:`language_bias_figure` saves it, drawn (so text positions are final)."""
    saved = []
    monkeypatch.setattr(bias_figure, "save_figure", lambda fig, path: saved.append(fig))
    language_bias_figure(frame, runs, tmp_path / "bias.png", title="t")
    (fig,) = saved
    fig.canvas.draw()
    return fig


def _many_runs(bias_frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The pool's run under a dozen names, long and short, fine-tuned and not (as the demo's figure has)."""
    names = [f"dense.m{suffix}.{condition}" for suffix in ("", "+qd", "+phrase") for condition in ("original", "translated")]
    names += [f"rerank.minilm-{negatives}.bm25.original" for negatives in ("easy", "easy-asis", "hard", "hard-asis")]
    macro_same = (bias_frame["measure"] == SAME_LANGUAGE) & (bias_frame["query_lang"] == MACRO)
    frames = []
    for i, name in enumerate(names):  # same-language shares at, just below and just above the uniform 41.7 %
        frame = bias_frame.assign(run=name)
        frame.loc[macro_same, "value"] = [0.625, 0.40, 0.07, 0.43, 0.417, 0.9][i % 6]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True), names


def test_every_heatmap_row_is_labelled_with_its_run(monkeypatch, bias_frame, tmp_path):
    frame, runs = _many_runs(bias_frame)
    fig = _drawn_figure(monkeypatch, frame, runs, tmp_path)
    (heat,) = [ax for ax in fig.axes if ax.images]
    labels = [label for label in heat.get_yticklabels() if label.get_visible() and label.get_text()]
    assert [label.get_text() for label in labels] == runs
    assert min(label.get_fontsize() for label in labels) >= 7
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert all(not a.overlaps(b) for a, b in itertools.pairwise(boxes)), "row labels overlap each other"
    image = heat.get_window_extent(renderer)
    assert all(box.x0 >= image.x1 for box in boxes), "the labels sit right of the heatmap, not over its cells"
    figure = fig.bbox
    others = [ax.get_window_extent(renderer) for ax in fig.axes if ax is not heat and not ax.images]
    for box in boxes:  # inside the figure, clear of the other panels and the colour bar
        assert figure.x0 <= box.x0 and box.x1 <= figure.x1
        assert not any(box.overlaps(other) for other in others)


def test_bar_values_are_not_covered_by_the_uniform_tick(monkeypatch, bias_frame, tmp_path):
    frame, runs = _many_runs(bias_frame)
    fig = _drawn_figure(monkeypatch, frame, runs, tmp_path)
    bars = next(ax for ax in fig.axes if ax.patches)
    renderer = fig.canvas.get_renderer()
    values = [text for text in bars.texts if text.get_text()]
    assert len(values) == len(runs)
    ticks = [segment for collection in bars.collections for segment in collection.get_segments()]
    to_pixels = bars.transData.transform
    for text in values:
        box = text.get_window_extent(renderer)
        for segment in ticks:
            (x0, y0), (x1, y1) = to_pixels(segment)
            assert not (box.x0 <= max(x0, x1) and min(x0, x1) <= box.x1 and box.y0 <= max(y0, y1) and min(y0, y1) <= box.y1), (
                text.get_text()
            )
