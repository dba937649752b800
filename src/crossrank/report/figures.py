"""Figures in the paper's style: Figure 3 (BM25 heatmaps) and Figure 4 (encoder bars)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO
from crossrank.core.figures import save_figure


def pair_matrix(
    metrics: pd.DataFrame, run: str, metric: str, query_languages: Sequence[str], doc_languages: Sequence[str] | None = None
) -> np.ndarray:
    """``metric`` of ``run`` as a query-language x document-language matrix (NaN where absent)."""
    doc_languages = query_languages if doc_languages is None else doc_languages
    rows = metrics[(metrics["run"] == run) & (metrics["metric"] == metric) & (metrics["query_lang"] != MACRO)]
    matrix = np.full((len(query_languages), len(doc_languages)), np.nan)
    row_of = {lang: i for i, lang in enumerate(query_languages)}
    column_of = {lang: j for j, lang in enumerate(doc_languages)}
    for q, d, v in rows[["query_lang", "doc_lang", "value"]].itertuples(index=False):
        if q in row_of and d in column_of:
            matrix[row_of[q], column_of[d]] = v
    return matrix


def heatmaps(
    metrics: pd.DataFrame,
    runs: Sequence[str],
    titles: Sequence[str],
    query_languages: Sequence[str],
    doc_languages: Sequence[str],
    path: str | os.PathLike[str],
    metric: str = "recall@100",
) -> None:
    """One heatmap per run, query languages as rows and document languages as columns, in %.

    Panels stack vertically when there are more document languages than fit side by side
    (Large-Scale: one English row against 25 document languages).
    """
    rows, columns = len(query_languages), len(doc_languages)
    cell = 0.55
    wide = columns > 16
    grid = (len(runs), 1) if wide else (1, len(runs))
    panel = (max(4.0, cell * columns + 1.5), max(1.6, cell * rows + 1.4))
    size = (panel[0], panel[1] * len(runs)) if wide else (panel[0] * len(runs), panel[1])
    fig, axes = plt.subplots(*grid, figsize=size, squeeze=False, layout="constrained")
    image = None
    for ax, run, title in zip(axes.flat, runs, titles, strict=True):
        matrix = pair_matrix(metrics, run, metric, query_languages, doc_languages) * 100
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap="viridis", vmin=0, vmax=100)
        ax.set_facecolor("#d9d9d9")
        for i in range(rows):
            for j in range(columns):
                if not np.isnan(matrix[i, j]):
                    color = "white" if matrix[i, j] < 60 else "black"
                    ax.text(j, i, f"{matrix[i, j]:.0f}", ha="center", va="center", fontsize=8, color=color)
        ax.set_xticks(range(columns), [lang.upper() for lang in doc_languages])
        ax.set_yticks(range(rows), [lang.upper() for lang in query_languages])
        ax.set_xlabel("document language")
        ax.set_ylabel("query language")
        ax.set_title(title)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.85, label=f"{metric} (%)")
    save_figure(fig, path)


def grouped_bars(
    metrics: pd.DataFrame,
    systems: Sequence[str],
    conditions: Sequence[str],
    pairs: Sequence[str],
    path: str | os.PathLike[str],
    title: str,
    metric: str = "recall@100",
) -> None:
    """Bars of ``metric`` per system: the macro average and each highlighted pair, one panel per condition."""
    groups = ["Average", *[p.upper() for p in pairs]]
    fig, axes = plt.subplots(
        1,
        len(conditions),
        figsize=(max(6.0, 1.2 * len(groups) * max(1, len(systems)) * 0.6) * len(conditions), 4.2),
        squeeze=False,
        sharey=True,
    )
    width = 0.8 / max(1, len(systems))
    for ax, condition in zip(axes[0], conditions, strict=True):
        for s, system in enumerate(systems):
            rows = metrics[(metrics["system"] == system) & (metrics["condition"] == condition) & (metrics["metric"] == metric)]
            values = []
            for group in ["all-all", *pairs]:
                q, d = group.split("-")
                match = rows[(rows["query_lang"] == q) & (rows["doc_lang"] == d)]["value"]
                values.append(float(match.iloc[0]) * 100 if len(match) else np.nan)
            positions = np.arange(len(groups)) + (s - (len(systems) - 1) / 2) * width
            bars = ax.bar(positions, values, width, label=system)
            ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylim(0, 105)
        ax.set_title(f"{condition} documents")
        ax.set_ylabel(f"{metric} (%)")
        ax.grid(axis="y", alpha=0.3)
    axes[0][-1].legend(loc="upper right", fontsize=8)
    fig.suptitle(title)
    save_figure(fig, path)


def best_dense_system(metrics: pd.DataFrame, dataset: str, metric: str = "recall@100") -> str | None:
    """The exact dense retriever (base or fine-tuned encoder) with the highest macro ``metric`` on any condition of ``dataset``."""
    rows = metrics[
        (metrics["dataset"] == dataset)
        & (metrics["metric"] == metric)
        & (metrics["query_lang"] == MACRO)
        & (metrics["run"].str.startswith("dense."))
    ]
    if rows.empty:
        return None
    return str(rows.sort_values(["value", "run"], ascending=[False, True], kind="stable").iloc[0]["system"])
