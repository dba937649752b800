"""Figure of the efficiency study: recall against queries per second, exact search vs HNSW."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from crossrank.core.figures import save_figure
from crossrank.efficiency.corpus import SOURCE_REAL, SOURCE_SYNTHETIC

PANELS = (("qps_batch1", "one query per call (batch 1)"), ("qps_batched", "all queries in one call (batched)"))
SOURCE_LABELS = {SOURCE_REAL: "real", SOURCE_SYNTHETIC: "synthetic"}
# One marker shape per effective ef (the sweep's values in ascending order; repeats past eight).
EF_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h")


def _size_label(size: int) -> str:
    if size >= 1_000_000 and size % 100_000 == 0:
        return f"{size / 1_000_000:g}M"
    if size >= 1000 and size % 100 == 0:
        return f"{size / 1000:g}k"
    return f"{size:,}"


def efficiency_figure(frame: pd.DataFrame, path: str | os.PathLike[str], title: str) -> None:
    """Recall@k (y) against queries per second (x, log) per corpus size; panels batch 1 and batched.

    One colour per size: HNSW as a line over the ef sweep (each effective ef once), exact search as a
    star at recall 1.0. The marker shape names the effective ef (the same shape in every curve), so no
    text sits among the points: curves that run close together never stack labels on each other. The
    legend (below the panels) names each size with its embeddings (real or synthetic clustered) and each ef's shape.
    """
    sizes = sorted(frame["size"].unique())
    colours = plt.get_cmap("viridis")(_spaced(len(sizes)))
    k = int(frame["k"].iloc[0]) if "k" in frame.columns and len(frame) else None
    efs = sorted({int(ef) for ef in frame.loc[frame["method"] == "hnsw", "ef_effective"].dropna()})
    marker_of = {ef: EF_MARKERS[i % len(EF_MARKERS)] for i, ef in enumerate(efs)}
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True, layout="constrained")
    lowest = 1.0
    for ax, (column, panel_title) in zip(axes, PANELS, strict=True):
        for size, colour in zip(sizes, colours, strict=True):
            rows = frame[frame["size"] == size]
            hnsw = rows[rows["method"] == "hnsw"].drop_duplicates("ef_effective").sort_values("ef_effective")
            exact = rows[rows["method"] == "exact"]
            if len(hnsw):
                ax.plot(hnsw[column], hnsw["recall_at_k"], "-", color=colour, linewidth=1.5)
                for ef, x, y in zip(hnsw["ef_effective"], hnsw[column], hnsw["recall_at_k"], strict=True):
                    ax.plot([x], [y], marker_of[int(ef)], color=colour, markersize=7, markeredgecolor="white", markeredgewidth=0.5)
                lowest = min(lowest, float(hnsw["recall_at_k"].min()))
            if len(exact):
                ax.plot(  # below the HNSW points, which often reach recall 1.0 beside it
                    exact[column],
                    [1.0] * len(exact),
                    "*",
                    color=colour,
                    markersize=12,
                    markeredgecolor="black",
                    markeredgewidth=0.5,
                    zorder=1.9,
                )
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(_rate))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("queries per second (log scale)")
        ax.set_title(panel_title)
        ax.grid(alpha=0.3, which="both")
    bottom = max(0.0, lowest - 0.05 * (1.0 - lowest) - 0.01)
    axes[0].set_ylim(bottom, 1.0 + 0.04 * (1.0 - bottom))
    axes[0].set_ylabel(f"recall@{k} vs exact search" if k else "recall vs exact search")
    handles = [
        Line2D([], [], color=colour, linewidth=1.5, label=f"{_size_label(int(size))} docs ({_source(frame, size)})")
        for size, colour in zip(sizes, colours, strict=True)
    ]
    handles.append(Line2D([], [], color="grey", marker="*", linestyle="", markersize=10, markeredgecolor="black", label="exact search"))
    handles += [Line2D([], [], color="grey", marker=marker_of[ef], linestyle="", markersize=6, label=f"HNSW ef {ef}") for ef in efs]
    note = f" (ef < k runs as ef = k = {k})" if k else ""
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(8, len(handles)),
        fontsize=8,
        frameon=False,
        title=f"colour: corpus size; marker: HNSW's effective ef over the sweep{note}",
        title_fontsize=8,
    )
    fig.suptitle(title)
    save_figure(fig, path)


def _source(frame: pd.DataFrame, size: int) -> str:
    sources = sorted(frame.loc[frame["size"] == size, "source"].unique())
    return "/".join(SOURCE_LABELS.get(s, s) for s in sources)


def _spaced(count: int) -> list[float]:
    """``count`` colormap positions from dark to light, avoiding viridis' pale yellow end (poor contrast on white)."""
    if count <= 1:
        return [0.35]
    return [0.8 * i / (count - 1) for i in range(count)]


def _rate(value: float, _position: object = None) -> str:
    """Tick label of a rate: 500, 2k, 10k, 1.5M."""
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"
