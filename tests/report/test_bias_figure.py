"""Tests of crossrank.report.bias_figure: the language-bias figure of the six-document pool's runs."""

from __future__ import annotations

import factories
import pandas as pd
import pytest

from crossrank.analyse.language_bias import language_bias
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
