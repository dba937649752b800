"""Fixtures of the report tests: a metrics table of two systems in two conditions, and a language-bias frame."""

from __future__ import annotations

import factories
import pandas as pd
import pytest

from crossrank.analyse.language_bias import language_bias
from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import COLUMNS


@pytest.fixture
def metrics() -> pd.DataFrame:
    """Recall@100 of bm25 and dense.m, original and translated, macro and per pair (en->de, de->en); nDCG@100 macro only."""
    rows = []
    for run, base in [("bm25.original", 0.1), ("bm25.translated", 0.3), ("dense.m.original", 0.5), ("dense.m.translated", 0.6)]:
        parsed = RunName.parse(run)
        system, condition = parsed.retriever, parsed.condition
        rows.append(("d", run, system, condition, "all", "all", "recall@100", base, 20))
        rows.append(("d", run, system, condition, "en", "de", "recall@100", base + 0.05, 10))
        rows.append(("d", run, system, condition, "de", "en", "recall@100", base - 0.05, 10))
        rows.append(("d", run, system, condition, "all", "all", "ndcg@100", 0.9, 20))
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def bias_frame() -> pd.DataFrame:
    """The language bias of the six-document pool's run (depth 2), as crossrank.analyse measures it."""
    pool = factories.six_document_pool()
    return language_bias("tiny", "dense.m.original", pool.run, pool.topics, pool.doc_langs, depth=2, source="runs/dense.m.original.run")
