"""The validation curves of fine-tuning: per epoch, the score that selected the best epoch, as a tidy table and a figure."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from crossrank.core.figures import save_figure

CURVE_COLUMNS = ["dataset", "encoder", "base", "level", "metric", "epoch", "score", "best"]
# What each level's validation score is (the evaluator's main score).
SCORE_LABELS = {
    "word": "accuracy at the best threshold",
    "phrase": "mean of A->B and B->A Recall@1",
    "qd": "nDCG@10, macro over language pairs",
}


def curve_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per (dataset, fine-tuned encoder, epoch) of the training records; ``best`` marks the kept epoch."""
    rows = [
        {
            "dataset": record["dataset"],
            "encoder": record["encoder"],
            "base": record["base"],
            "level": record["level"],
            "metric": record["metric"],
            "epoch": point["epoch"],
            "score": point["score"],
            "best": point["epoch"] == record["best_epoch"],
        }
        for record in records
        for point in record["curve"]
    ]
    frame = pd.DataFrame(rows, columns=CURVE_COLUMNS)
    return frame.sort_values(["dataset", "level", "base", "epoch"], kind="stable").reset_index(drop=True)


def curve_figure(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """A grid of datasets (rows) by levels (columns): each base encoder's validation score per epoch, the kept epoch starred."""
    if frame.empty:
        raise ValueError("no fine-tuning records to draw")
    datasets = list(dict.fromkeys(frame["dataset"]))
    levels = [level for level in SCORE_LABELS if level in set(frame["level"])]
    fig, axes = plt.subplots(
        len(datasets), len(levels), figsize=(3.6 * len(levels) + 0.6, 2.7 * len(datasets) + 0.6), squeeze=False, layout="constrained"
    )
    colors = {base: f"C{i}" for i, base in enumerate(sorted(set(frame["base"])))}
    for i, dataset in enumerate(datasets):
        for j, level in enumerate(levels):
            ax = axes[i][j]
            part = frame[(frame["dataset"] == dataset) & (frame["level"] == level)]
            for base, curve in part.groupby("base", sort=True):
                ax.plot(curve["epoch"], curve["score"], marker="o", markersize=3, color=colors[base], label=base)
                kept = curve[curve["best"]]
                ax.scatter(kept["epoch"], kept["score"], marker="*", s=140, color=colors[base], edgecolors="black", zorder=3)
            ax.set_title(f"{dataset}, {level} level", fontsize=10)
            ax.set_xlabel("epoch (0 = untrained)")
            ax.set_ylabel(SCORE_LABELS[level], fontsize=8)
            ax.grid(alpha=0.3)
            if not part.empty:
                ax.xaxis.get_major_locator().set_params(integer=True)
                ax.legend(fontsize=7, loc="best")
    fig.suptitle("Fine-tuning: validation score per epoch (star: the epoch kept)")
    save_figure(fig, path)
