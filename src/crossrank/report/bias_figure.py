"""The paper's document-language bias figures (Figure 6 and Figure 8) from a :mod:`crossrank.analyse.language_bias` frame."""

from __future__ import annotations

import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from crossrank.analyse.language_bias import RETRIEVED_LANGUAGE, SAME_LANGUAGE, macro_rows
from crossrank.core.figures import save_figure
from crossrank.core.run_name import RunName, split_encoder

PRETRAINED_COLOR = "#4c72b0"
FINETUNED_COLOR = "#dd8452"


def _fine_tuned(run: str) -> bool:
    encoder = RunName.parse(run).encoder
    return encoder is not None and split_encoder(encoder)[1] is not None


def language_bias_figure(frame: pd.DataFrame, runs: Sequence[str], path: str | os.PathLike[str], title: str) -> None:
    """Two panels sharing one row per run, in ``runs`` order (runs absent from ``frame`` are skipped); fine-tuned runs' bars in orange.

    (a) bars: the macro share of retrieved documents in the query's language, with the uniform
    expectation as a dashed tick; (b) heatmap over pool languages: the macro share retrieved for
    cross-language queries divided by the pool share (1 = what a language-blind ranker gives).
    Both panels name every row: (a) on its left, (b) on its right (its colour scale below it), so
    a heatmap row is read without following it back across the bars.
    The figure grows with the number of runs and languages so that labels stay legible.
    """
    same = macro_rows(frame, SAME_LANGUAGE).set_index("run")
    retrieved = macro_rows(frame, RETRIEVED_LANGUAGE)
    present = set(same.index) | set(retrieved["run"])
    shown = [run for run in dict.fromkeys(runs) if run in present]
    if not shown:
        raise ValueError(f"none of the runs {list(runs)} has language-bias rows in the frame")
    languages = sorted(set(retrieved["doc_lang"]))
    ratio = _ratio_matrix(retrieved, shown, languages)

    rows, columns = len(shown), max(1, len(languages))
    cell = 0.5
    label_width = 0.065 * max(len(run) for run in shown)  # inches the run names take at 8 pt
    heat_width = max(5.0, cell * columns + 0.3) + label_width
    bar_width = 4.2
    height = max(3.6, 0.42 * rows + 2.4)
    fig, (bars_ax, heat_ax) = plt.subplots(
        1,
        2,
        figsize=(bar_width + heat_width, height),
        sharey=True,
        layout="constrained",
        gridspec_kw={"width_ratios": [bar_width, heat_width]},
    )
    _same_language_bars(bars_ax, same, shown)
    _ratio_heatmap(fig, heat_ax, ratio, languages)
    fig.suptitle(title)
    save_figure(fig, path)


def _ratio_matrix(retrieved: pd.DataFrame, runs: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    """Runs x languages: retrieved share / pool share (NaN where a run has no cross-language queries)."""
    matrix = np.full((len(runs), len(languages)), np.nan)
    row_of = {run: i for i, run in enumerate(runs)}
    column_of = {lang: j for j, lang in enumerate(languages)}
    for run, lang, value, expected in retrieved[["run", "doc_lang", "value", "expected"]].itertuples(index=False):
        if run in row_of and expected > 0:
            matrix[row_of[run], column_of[lang]] = value / expected
    return matrix


def _same_language_bars(ax: plt.Axes, same: pd.DataFrame, runs: Sequence[str]) -> None:
    positions = np.arange(len(runs))
    values = np.array([float(same.at[r, "value"]) * 100 if r in same.index else np.nan for r in runs])
    expected = np.array([float(same.at[r, "expected"]) * 100 if r in same.index else np.nan for r in runs])
    colors = [FINETUNED_COLOR if _fine_tuned(run) else PRETRAINED_COLOR for run in runs]
    ax.barh(positions, np.nan_to_num(values), height=0.7, color=colors)
    ax.vlines(expected, positions - 0.4, positions + 0.4, colors="black", linestyles="dashed", linewidth=1.2)
    for position, value, uniform in zip(positions, values, expected, strict=True):
        if not np.isnan(value):  # right of the bar and of the uniform tick, so the two never cover the number
            ax.text(np.nanmax([value, uniform]) + 1.5, position, f"{value:.0f}", va="center", fontsize=7)
    ax.set_yticks(positions, list(runs))
    ax.set_ylim(len(runs) - 0.5, -0.5)
    ax.set_xlim(0, 108)
    ax.set_xlabel("retrieved documents in the query's language (%)")
    ax.set_title("(a) same-language retrieval", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    handles = [Patch(color=PRETRAINED_COLOR, label="observed")]
    if any(_fine_tuned(run) for run in runs):  # the paper's Figure 6 marks the fine-tuned encoders beside their base
        handles = [Patch(color=PRETRAINED_COLOR, label="observed, pretrained"), Patch(color=FINETUNED_COLOR, label="observed, fine-tuned")]
    handles.append(Line2D([], [], color="black", linestyle="dashed", label="uniform over the pool"))
    ax.figure.legend(handles=handles, loc="outside lower left", ncols=2, fontsize=8, frameon=False)


def _ratio_heatmap(fig: plt.Figure, ax: plt.Axes, ratio: np.ndarray, languages: Sequence[str]) -> None:
    finite = ratio[np.isfinite(ratio)]
    top = max(2.0, float(finite.max())) if finite.size else 2.0
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=top)
    image = ax.imshow(np.ma.masked_invalid(ratio), cmap="RdBu_r", norm=norm, aspect="auto")
    ax.set_facecolor("#d9d9d9")
    for i, j in zip(*np.nonzero(np.isfinite(ratio)), strict=True):
        value = ratio[i, j]
        color = "white" if abs(float(norm(value)) - 0.5) > 0.3 else "black"
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5, color=color)
    ax.set_xticks(range(len(languages)), [lang.upper() for lang in languages], fontsize=8)
    # The rows' run names again, on the heatmap's right (sharey hides its left labels, which would sit on the bars).
    ax.tick_params(axis="y", left=False, labelleft=False, right=True, labelright=True, labelsize=8, length=2)
    ax.set_xlabel("language of retrieved documents")
    ax.set_title("(b) cross-language queries: languages retrieved", fontsize=10)
    colorbar = fig.colorbar(image, ax=ax, location="bottom", shrink=0.8, aspect=40, pad=0.01)
    colorbar.set_label("retrieved share / uniform share (1 = language-blind)", fontsize=8)
