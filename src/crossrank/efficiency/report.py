"""The efficiency study's report: summary table, crossover sentences, ef sweep and the paper's Table 7.

Writes what :func:`crossrank.efficiency.study.run_study` measured as a tidy CSV and a Markdown report.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from crossrank.core.io import atomic_write
from crossrank.core.markdown import markdown
from crossrank.efficiency.corpus import SOURCE_REAL, SOURCE_SYNTHETIC
from crossrank.efficiency.study import INTEGER_COLUMNS

# The paper's Table 7 (appendix E): "average inference time" and Recall@100 (%) of exact dense
# retrieval (DNN) and HNSW (ANN), averaged over five pretrained encoders and all language pairs.
# The times are min-max normalised completion timestamps scaled by the number of language pairs
# (appendix E.1), not seconds.
PAPER_TABLE7 = pd.DataFrame(
    {
        "method": ["DNN", "ANN"],
        "CLIRMatrix time": [0.388, 0.619],
        "mMARCO time": [0.451, 0.552],
        "Large-Scale time": [0.362, 0.652],
        "CLIRMatrix R@100": [31.9, 31.6],
        "mMARCO R@100": [49.0, 47.1],
        "Large-Scale R@100": [64.0, 60.1],
    }
)


def crossover_sentences(frame: pd.DataFrame, crossover_sizes: dict[str, float | bool | None]) -> list[str]:
    """One sentence per mode stating the crossover (or its absence) in the measured range."""
    sizes = sorted(frame["size"].unique())
    span = f"{sizes[0]:,} to {sizes[-1]:,} documents" if sizes else "no sizes"
    ef = int(crossover_sizes["ef"])
    names = {"batch1": "one query at a time (batch 1)", "batched": f"{int(frame['queries'].max()):,} queries in one batch"}
    lines = []
    for mode, words in names.items():
        value = crossover_sizes.get(mode)
        if value is None:
            lines.append(f"- {words}: HNSW (ef={ef}) is slower than exact search at every measured size ({span}).")
        elif crossover_sizes.get(f"{mode}_wins_at_smallest"):
            lines.append(
                f"- {words}: HNSW (ef={ef}) is already faster at the smallest measured size, {value:,.0f}: the crossover lies below it."
            )
        else:
            first = crossover_sizes[f"{mode}_first_win"]
            lines.append(
                f"- {words}: HNSW (ef={ef}) becomes faster at about **{value:,.0f}** documents "
                f"(first measured win at {first:,.0f}; log-log interpolation of the QPS ratio)."
            )
    return lines


def summary_table(frame: pd.DataFrame, ef: int) -> pd.DataFrame:
    """Per size: exact search beside HNSW at ``ef``, with the HNSW/exact QPS ratios."""
    exact = frame[frame["method"] == "exact"].set_index("size")
    hnsw = frame[(frame["method"] == "hnsw") & (frame["ef"] == ef)].set_index("size")
    sizes = sorted(set(exact.index) & set(hnsw.index))
    k = int(frame["k"].iloc[0]) if len(frame) else 0
    table = pd.DataFrame(
        {
            "size": sizes,
            "source": [exact.loc[n, "source"] for n in sizes],
            "exact QPS b1": [exact.loc[n, "qps_batch1"] for n in sizes],
            "exact QPS batched": [exact.loc[n, "qps_batched"] for n in sizes],
            "exact p50 ms": [exact.loc[n, "p50_ms"] for n in sizes],
            "exact GFLOP/s": [exact.loc[n, "gflops"] for n in sizes],
            "exact MiB": [exact.loc[n, "index_mib"] for n in sizes],
            "HNSW build s": [hnsw.loc[n, "build_s"] for n in sizes],
            "HNSW MiB": [hnsw.loc[n, "index_mib"] for n in sizes],
            "HNSW QPS b1": [hnsw.loc[n, "qps_batch1"] for n in sizes],
            "HNSW QPS batched": [hnsw.loc[n, "qps_batched"] for n in sizes],
            "HNSW p50 ms": [hnsw.loc[n, "p50_ms"] for n in sizes],
            "HNSW p95 ms": [hnsw.loc[n, "p95_ms"] for n in sizes],
            f"recall@{k}": [hnsw.loc[n, "recall_at_k"] for n in sizes],
            "HNSW/exact b1": [hnsw.loc[n, "qps_batch1"] / exact.loc[n, "qps_batch1"] for n in sizes],
            "HNSW/exact batched": [hnsw.loc[n, "qps_batched"] / exact.loc[n, "qps_batched"] for n in sizes],
            "peak RSS GiB": [max(exact.loc[n, "peak_rss_gib"], hnsw.loc[n, "peak_rss_gib"]) for n in sizes],
        }
    )
    return table


def _format(value: object, column: str = "", decimals: int | None = None) -> str:
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    if pd.isna(value):
        return ""
    if column in INTEGER_COLUMNS or isinstance(value, int | np.integer):
        return f"{int(value):,}"
    value = float(value)
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if column.startswith("recall"):
        return f"{value:.3f}"
    if "/" in column and "GFLOP" not in column:  # ratios
        return f"{value:.2f}x"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown_table(table: pd.DataFrame, decimals: dict[str, int] | None = None) -> str:
    """``table`` as a Markdown table, numbers right-aligned and rounded for reading (or to ``decimals[column]``)."""
    decimals = decimals or {}
    return markdown(table, lambda value, column: _format(value, column, decimals.get(column)))


def _sources_sentence(real: str, synthetic: str) -> str:
    synthetic_words = "synthetic clustered embeddings (Zipf-sized topics, anisotropic noise; queries = noisy copies of documents)"
    if real and synthetic:
        return f"Embeddings: real at sizes {real}; {synthetic_words} at sizes {synthetic}."
    if real:
        return f"Embeddings: real at every size ({real})."
    return f"Embeddings: {synthetic_words} at every size ({synthetic}); no real embeddings were used."


def write_study(
    frame: pd.DataFrame,
    out_csv: str | os.PathLike[str],
    out_markdown: str | os.PathLike[str],
    crossover_sizes: dict[str, float | bool | None],
    machine: str,
    out_summary_csv: str | os.PathLike[str] | None = None,
) -> None:
    """Write the tidy CSV (every row) and a Markdown report (summary, crossover, ef sweep, paper's Table 7);
    and the summary at the default ef, one row per size, as ``out_summary_csv`` (DVC's efficiency plot) where given."""
    with atomic_write(out_csv) as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")
    ef = int(crossover_sizes["ef"])
    k = int(frame["k"].iloc[0])
    summary = summary_table(frame, ef)
    if out_summary_csv is not None:
        with atomic_write(out_summary_csv) as handle:
            summary.to_csv(handle, index=False, lineterminator="\n")
    sources = {
        source: ", ".join(f"{n:,}" for n in sorted(frame.loc[frame["source"] == source, "size"].unique()))
        for source in (SOURCE_REAL, SOURCE_SYNTHETIC)
    }
    hnsw = frame[frame["method"] == "hnsw"]
    build_threads = sorted(hnsw["build_threads"].unique())
    sweep = hnsw[["size", "ef", "ef_effective", "qps_batch1", "qps_batched", "p50_ms", "p95_ms", "recall_at_k"]].rename(
        columns={"recall_at_k": f"recall@{k}", "qps_batch1": "QPS b1", "qps_batched": "QPS batched", "p50_ms": "p50 ms", "p95_ms": "p95 ms"}
    )
    lines = [
        "# Exact dense search vs HNSW: efficiency by corpus size",
        "",
        f"Machine: {machine}",
        "",
        f"Top-{k} for {int(frame['queries'].max()):,} queries per size (batch-1 latency over the first "
        f"{int(frame['latency_queries'].max()):,}); search on {int(frame['threads'].max())} threads; HNSW built with "
        f"{', '.join(str(int(t)) for t in build_threads)} thread(s). QPS = queries per second; b1 = one query per call; "
        f"recall@{k} = overlap with the exact top-{k}; GFLOP/s = matrix-product work of the batched exact search per second.",
        "",
        _sources_sentence(sources[SOURCE_REAL], sources[SOURCE_SYNTHETIC]),
        "",
        f"## Summary at the default ef = {ef}",
        "",
        markdown_table(summary),
        "",
        "## Crossover",
        "",
        *crossover_sentences(frame, crossover_sizes),
        "",
        "## ef sweep (HNSW)",
        "",
        f"hnswlib searches with max(ef, k), so every ef below k={k} is the same search as ef={k} (`ef_effective`).",
        "",
        markdown_table(sweep.reset_index(drop=True)),
        "",
        "## The paper's Table 7, for comparison",
        "",
        markdown_table(PAPER_TABLE7, {c: 3 if c.endswith("time") else 1 for c in PAPER_TABLE7.columns}),
        "",
        "The paper's \"average time\" is not a duration: each run's completion timestamp was interleaved in execution order "
        "(dense, ANN, dense, ANN, ...), min-max normalised to [0, 1], scaled by the number of language pairs and "
        "averaged as differences between consecutive completions (appendix E.1). The numbers are unitless: they depend on "
        "how many runs there were and on everything else that happened between them, and support only "
        '"ANN finished later", not seconds, '
        "throughput or a speed ratio. The tables above measure the searches themselves, in seconds, on one machine.",
        "",
    ]
    with atomic_write(out_markdown) as handle:
        handle.write("\n".join(lines))
