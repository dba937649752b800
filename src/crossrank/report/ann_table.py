"""The paper's Table 7, recall half: exact dense search against HNSW per dataset and encoder (the speed half is the
efficiency study, ``results/efficiency/``, which measures seconds where the paper normalised timestamps)."""

from __future__ import annotations

import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.run_name import RunName

COLUMNS = ["dataset", "condition", "encoder", "exact", "hnsw", "hnsw - exact"]


def ann_table(metrics: pd.DataFrame, metric: str = "recall@100") -> pd.DataFrame:
    """Macro ``metric`` (%) of every encoder's exact and HNSW runs, with the average over the encoders per dataset."""
    macro = metrics[(metrics["query_lang"] == MACRO) & (metrics["metric"] == metric)]
    value = {(r.dataset, r.run): float(r.value) * 100 for r in macro.itertuples(index=False)}
    rows = []
    for dataset, run in sorted(value):
        parsed = RunName.parse(run)
        if parsed.system != "ann":
            continue
        exact = str(RunName.search("dense", parsed.condition, parsed.encoder))
        if (dataset, exact) in value:
            rows.append((dataset, parsed.condition, parsed.encoder, value[(dataset, exact)], value[(dataset, run)]))
    table = pd.DataFrame(rows, columns=COLUMNS[:5])
    if table.empty:
        return pd.DataFrame(columns=COLUMNS)
    base = table[~table["encoder"].str.contains("+", regex=False)]
    average = base.groupby(["dataset", "condition"], as_index=False)[["exact", "hnsw"]].mean().assign(encoder="average (base encoders)")
    table = pd.concat([table, average[COLUMNS[:5]]], ignore_index=True).sort_values(["dataset", "condition"], kind="stable")
    table["hnsw - exact"] = table["hnsw"] - table["exact"]
    return table.round(1).reset_index(drop=True)
