"""Tests of crossrank.report.significance_table: each comparison tested on the queries both runs evaluate, Holm per table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crossrank.evaluate.metrics import QUERY_COLUMNS
from crossrank.evaluate.significance import holm
from crossrank.report.significance_table import compare, intervals, readable

PAIRS = [("en", "de"), ("de", "en"), ("ja", "en")]


def _queries() -> pd.DataFrame:
    """bm25.original; bm25.translated clearly better on 60 queries; dense.m.translated equal to bm25.original on its 59."""
    rng = np.random.default_rng(1)
    rows = []
    base = rng.uniform(0, 0.5, size=60)
    for i, value in enumerate(base):
        q, d = PAIRS[i % 3]
        qid = f"{q}-{d}-{i}"
        rows.append(("d", "bm25.original", qid, q, d, "recall@100", float(value)))
        rows.append(("d", "bm25.translated", qid, q, d, "recall@100", float(min(1.0, value + 0.4 + rng.normal(0, 0.02)))))
        if i:  # one query fewer: compared on the 59 both evaluate
            rows.append(("d", "dense.m.translated", qid, q, d, "recall@100", float(value)))
            rows.append(("d", "dense.m.original", qid, q, d, "recall@100", float(value)))
    return pd.DataFrame(rows, columns=QUERY_COLUMNS)


COMPARISONS = [
    {"table": "table3", "dataset": "d", "run": "bm25.translated", "baseline": "bm25.original", "metrics": ["recall@100"]},
    {"table": "table3", "dataset": "d", "run": "dense.m.translated", "baseline": "dense.m.original", "metrics": ["recall@100"]},
    {"table": "table3", "dataset": "d", "run": "ann.m.translated", "baseline": "ann.m.original", "metrics": ["recall@100"]},
]


def test_each_comparison_is_paired_over_shared_queries_and_holm_adjusted_per_table():
    queries = _queries()
    found = compare(queries, COMPARISONS, {"resamples": 2000, "bootstrap_resamples": 500}).set_index("run")
    assert list(found.index) == ["bm25.translated", "dense.m.translated"], "a comparison without per-query values is left out"
    better, same = found.loc["bm25.translated"], found.loc["dense.m.translated"]
    assert better["n_queries"] == 60 and same["n_queries"] == 59
    assert bool(better["significant"]) and not bool(same["significant"])
    assert (same["p_t"], same["p_randomization"], same["difference"]) == (1.0, 1.0, 0.0)
    a = queries[queries["run"] == "bm25.translated"].sort_values("qid")["value"].to_numpy()
    b = queries[queries["run"] == "bm25.original"].sort_values("qid")["value"].to_numpy()
    assert better["p_t"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert found["p_t_holm"].tolist() == pytest.approx(holm(found["p_t"].tolist()))
    assert better["difference_low"] <= better["difference"] <= better["difference_high"]
    assert better["difference"] == pytest.approx(better["run_value"] - better["baseline_value"])
    shown = readable(found.reset_index())
    assert shown["significant"].tolist() == ["yes", "no"] and shown["difference (95% CI)"].iloc[1] == "+0.0 [+0.0, +0.0]"


def test_every_runs_macro_average_gets_an_interval_around_it():
    found = intervals(_queries(), {"bootstrap_resamples": 500})
    assert len(found) == 4 and (found["low"] <= found["value"]).all() and (found["value"] <= found["high"]).all()
    assert found.set_index("run").loc["dense.m.original", "n_queries"] == 59
