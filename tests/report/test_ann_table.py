"""Tests of crossrank.report.ann_table: Table 7's recall half pairs each HNSW run with the same encoder's exact run."""

from __future__ import annotations

import pandas as pd

from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import COLUMNS
from crossrank.report.ann_table import ann_table


def _metrics(values: dict[str, float]) -> pd.DataFrame:
    rows = []
    for run, value in values.items():
        parsed = RunName.parse(run)
        rows.append(("d", run, parsed.retriever, parsed.condition, "all", "all", "recall@100", value, 10))
        rows.append(("d", run, parsed.retriever, parsed.condition, "en", "de", "recall@100", 0.0, 5))
    return pd.DataFrame(rows, columns=COLUMNS)


def test_each_hnsw_run_sits_beside_its_exact_run_and_the_base_encoders_are_averaged():
    table = ann_table(
        _metrics(
            {
                "bm25.original": 0.1,
                "dense.a.original": 0.5,
                "ann.a.original": 0.48,
                "dense.b.original": 0.7,
                "ann.b.original": 0.7,
                "dense.a+qd.original": 0.9,
                "ann.a+qd.original": 0.8,
                "ann.c.original": 0.3,  # no exact run of c: left out
            }
        )
    )
    rows = {row["encoder"]: row for _, row in table.iterrows()}
    assert set(rows) == {"a", "b", "a+qd", "average (base encoders)"}
    assert (rows["a"]["exact"], rows["a"]["hnsw"], rows["a"]["hnsw - exact"]) == (50.0, 48.0, -2.0)
    assert (rows["average (base encoders)"]["exact"], rows["average (base encoders)"]["hnsw"]) == (60.0, 59.0)  # a+qd not in it


def test_without_hnsw_runs_the_table_is_empty():
    assert ann_table(_metrics({"bm25.original": 0.1, "dense.a.original": 0.5})).empty
