"""The paper's Table 6: re-ranking the first stage with cross-encoders trained on easy and hard negatives.

Rows per (dataset, condition, first stage, candidate mode): the ``none`` re-ranker (the first
stage's own order on the re-ranked queries: the baseline), ``chance`` (a seeded random order of
the same candidates: what re-ranking must beat; with ``inject_gold`` it already scores
Recall@10 = 10%), then every cross-encoder. Columns: each metric's macro average and highlighted
pairs in %, and the difference of the average to the baseline of the same mode.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.run_name import RunName
from crossrank.rerank.candidates import NO_MODEL, split_reranker

AVERAGE = "average"


def reranking_table(metrics: pd.DataFrame, rerankers: Sequence[str], metrics_shown: Sequence[str], pairs: Sequence[str]) -> pd.DataFrame:
    """Table 6 from the merged metrics of the re-ranked runs (rows absent from ``metrics`` are left out)."""
    reranked = metrics[metrics["system"].str.startswith("rerank.")]
    values = {
        (row.dataset, row.run, row.metric, AVERAGE if row.query_lang == MACRO else f"{row.query_lang}-{row.doc_lang}"): float(row.value)
        * 100
        for row in reranked.itertuples(index=False)
    }
    order = {name: i for i, name in enumerate((*NO_MODEL, *rerankers))}
    rows = []
    for dataset, run in sorted({(d, r) for d, r, _m, _g in values}):
        parsed = RunName.parse(run)
        reranker, mode = split_reranker(str(parsed.model))
        if reranker not in order:
            continue
        row = {
            "dataset": dataset,
            "condition": parsed.condition,
            "first_stage": parsed.first_stage[0].retriever,
            "mode": mode,
            "reranker": reranker,
        }
        for metric in metrics_shown:
            row[f"{metric} {AVERAGE}"] = values.get((dataset, run, metric, AVERAGE), np.nan)
            row.update({f"{metric} {pair}": values.get((dataset, run, metric, pair), np.nan) for pair in pairs})
        rows.append((order[reranker], row))
    columns = ["dataset", "condition", "first_stage", "mode", "reranker"]
    columns += [f"{m} {g}" for m in metrics_shown for g in (AVERAGE, *pairs)]
    table = pd.DataFrame([row for _, row in sorted(rows, key=lambda item: (item[1]["dataset"], item[1]["condition"],
                          item[1]["first_stage"], item[1]["mode"], item[0]))], columns=columns)  # fmt: skip
    keys = ["dataset", "condition", "first_stage", "mode"]
    for metric in metrics_shown:
        column = f"{metric} {AVERAGE}"
        baseline = table[table["reranker"] == "none"].set_index(keys)[column]
        table[f"{metric} vs none"] = [
            value - baseline.get(tuple(key), np.nan) for value, key in zip(table[column], table[keys].itertuples(index=False), strict=True)
        ]
    return table.round(1)
