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
from crossrank.core.figures import PAPER_WIDTH, save_figure


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

    At most :data:`PAPER_WIDTH` wide: panels stack vertically when they do not fit side by side,
    and cells shrink (with their numbers) when one panel would not fit (Large-Scale: one English
    row against 25 document languages).
    """
    rows, columns = len(query_languages), len(doc_languages)
    cell = min(0.55, (PAPER_WIDTH - 2.0) / max(1, columns))  # 2 in for the row labels and the colour bar
    panel = (max(3.0, cell * columns + 1.9), max(1.6, cell * rows + 1.4))
    side_by_side = panel[0] * len(runs) <= PAPER_WIDTH
    grid = (1, len(runs)) if side_by_side else (len(runs), 1)
    size = (panel[0] * len(runs), panel[1]) if side_by_side else (panel[0], panel[1] * len(runs))
    number_size = 8 if cell >= 0.45 else 6
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
                    ax.text(j, i, f"{matrix[i, j]:.0f}", ha="center", va="center", fontsize=number_size, color=color)
        ax.set_xticks(range(columns), [lang.upper() for lang in doc_languages])
        ax.set_yticks(range(rows), [lang.upper() for lang in query_languages])
        ax.set_xlabel("document language")
        ax.set_ylabel("query language")
        ax.set_title(title)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, aspect=30, fraction=0.05, label=f"{metric} (%)")
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
    """Bars of ``metric`` per system: the macro average and each highlighted pair, one panel per condition, stacked
    (:data:`PAPER_WIDTH` wide, the legend below)."""
    groups = ["Average", *[p.upper() for p in pairs]]
    fig, axes = plt.subplots(
        len(conditions), 1, figsize=(PAPER_WIDTH, 2.4 * len(conditions) + 0.8), squeeze=False, sharex=True, layout="constrained"
    )
    width = 0.8 / max(1, len(systems))
    label_size = 7 if len(groups) * len(systems) <= 18 else 5
    for ax, condition in zip(axes[:, 0], conditions, strict=True):
        for s, system in enumerate(systems):
            rows = metrics[(metrics["system"] == system) & (metrics["condition"] == condition) & (metrics["metric"] == metric)]
            values = []
            for group in ["all-all", *pairs]:
                q, d = group.split("-")
                match = rows[(rows["query_lang"] == q) & (rows["doc_lang"] == d)]["value"]
                values.append(float(match.iloc[0]) * 100 if len(match) else np.nan)
            positions = np.arange(len(groups)) + (s - (len(systems) - 1) / 2) * width
            bars = ax.bar(positions, values, width, label=system)
            ax.bar_label(bars, fmt="%.0f", fontsize=label_size, padding=1)
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylim(0, 112)
        ax.set_title(f"{condition} documents")
        ax.set_ylabel(f"{metric} (%)")
        ax.grid(axis="y", alpha=0.3)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=min(4, max(1, len(systems))))
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
