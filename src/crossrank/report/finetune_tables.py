"""The paper's fine-tuning tables: Table 4 (encoder x dataset x level) and Table 5 (the best configuration).

Both read the exact-search runs of ``results/metrics.csv``: ``dense.<encoder>.<condition>`` is the
level ``none`` and ``dense.<encoder>+<level>.<condition>`` a fine-tuned one. Values are the report
metric in %, the macro average over a dataset's language pairs (the paper's "average") and the
highlighted pairs the dataset has (ar-ru is not a Large-Scale pair: its queries are English).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.run_name import RunName

NONE = "none"
AVERAGE = "average"


def finetuning_table(
    metrics: pd.DataFrame, encoders: Sequence[str], levels: Sequence[str], pairs: Sequence[str], metric: str = "recall@100"
) -> pd.DataFrame:
    """Table 4: one row per (dataset, condition, encoder, level), ``none`` first; columns ``average`` and each pair, in %.

    A pair a dataset does not have is an empty cell; a run that is not in ``metrics`` has no row.
    """
    chosen = metrics[metrics["metric"] == metric]
    values = {
        (row.dataset, row.run, f"{row.query_lang}-{row.doc_lang}" if row.query_lang != MACRO else AVERAGE): float(row.value) * 100
        for row in chosen.itertuples(index=False)
    }
    rows = []
    for dataset in sorted(set(chosen["dataset"])):
        conditions = [c for c in ("original", "translated") if c in set(chosen.loc[chosen["dataset"] == dataset, "condition"])]
        for condition in conditions:
            for encoder in encoders:
                for level in (NONE, *levels):
                    run = str(RunName.search("dense", condition, encoder if level == NONE else f"{encoder}+{level}"))
                    if (dataset, run, AVERAGE) not in values:
                        continue
                    row = {"dataset": dataset, "condition": condition, "encoder": encoder, "level": level}
                    row[AVERAGE] = values[(dataset, run, AVERAGE)]
                    row.update({pair: values.get((dataset, run, pair), np.nan) for pair in pairs})
                    rows.append(row)
    return pd.DataFrame(rows, columns=["dataset", "condition", "encoder", "level", AVERAGE, *pairs]).round(1)


def best_configurations(table: pd.DataFrame, pairs: Sequence[str]) -> pd.DataFrame:
    """Table 5: per (dataset, condition) and per measure (average, each pair), the best (encoder, level) of Table 4.

    ``gain`` is the best value minus the same encoder's ``none``; ties go to the first row of
    Table 4 (the base encoder before its fine-tuned levels, the encoders in their configured order).
    """
    rows = []
    for (dataset, condition), group in table.groupby(["dataset", "condition"], sort=True):
        for measure in (AVERAGE, *pairs):
            present = group[group[measure].notna()]
            if present.empty:
                continue
            best = present.loc[present[measure].idxmax()]
            base = group[(group["encoder"] == best["encoder"]) & (group["level"] == NONE)][measure]
            rows.append(
                {
                    "dataset": dataset,
                    "condition": condition,
                    "measure": measure,
                    "encoder": best["encoder"],
                    "level": best["level"],
                    "value": best[measure],
                    "gain": best[measure] - float(base.iloc[0]) if len(base) else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["dataset", "condition", "measure", "encoder", "level", "value", "gain"]).round(1)
