"""Exact dense search vs HNSW by corpus size: throughput, latency, memory and recall, in one run.

Replaces the paper's appendix E / Table 7, whose "average time" is a min-max normalised
completion timestamp rather than a duration, with measured seconds, and finds the corpus size
where HNSW starts to pay off. For each corpus size (``--sizes``, default 1k, 3k, 10k, 30k, 100k,
300k and 1M documents of dimension 384, all-MiniLM-L6-v2's), ``crossrank.efficiency.study.run_study``
measures, on ``--threads`` threads (default 2):

- exact search (``crossrank.dense.exact.ExactSearcher``: torch matmul + topk, the pipeline's search):
  queries per second with all ``--n-queries`` (1000) queries in one call, per-query latency
  p50/p95 and QPS at batch 1 over ``--latency-queries`` (100), and the matrix-product GFLOP/s
  it achieves, beside the machine's measured float32 matmul peak (baseline of the GFLOP/s);
- HNSW (``crossrank.dense.hnsw``, M=16, ef_construction=200, the paper's settings): build seconds,
  index memory, and for each ef of ``--ef`` (50,100,200,400,800) the same QPS/latency figures
  and recall@k (k=100) against the exact top-k. hnswlib searches with max(ef, k), so ef=50 is
  the same search as ef=100 at k=100. The default ef is the pipeline's max(50, 2k) = 200.
- the ratios HNSW/exact (baseline: exact search) and the crossover: the corpus size where HNSW
  at ef=200 starts to answer more queries per second than exact search, at batch 1 and
  batched (log-log interpolation between measured sizes).

The HNSW build runs with ``determinism=False`` (all ``--threads`` threads; ``--deterministic``
gives the pipeline's single-threaded build, about half as fast on 2 cores). Embeddings:
``--embeddings DOCS.npy`` (and optionally ``--queries Q.npy``) uses real cached embeddings
wherever they have at least ``size`` rows (a seeded sample); every other size uses synthetic
clustered embeddings (Zipf-sized topics, anisotropic noise, queries = noisy copies of
documents; ``crossrank.efficiency.corpus.clustered_embeddings``), labelled as such in every output.

Writes ``ann_efficiency.csv`` (tidy, every measurement), ``ann_efficiency.md`` (summary,
crossover, ef sweep and the paper's Table 7) and ``ann_efficiency.png`` (recall vs QPS) to
``--out`` (default ``results/benchmarks``).

Measured on the 2-core reference machine (default sizes, synthetic, idle machine): 498 s in
all, of which the HNSW builds take 0.7 s at 10k, 20 s at 100k and 315 s at 1M; exact search at
1M runs at 117 GFLOP/s (61% of the 194 GFLOP/s matmul peak) within 2.9 GiB peak resident
memory. See the README, "Benchmarks", for the table.

Run from the project directory::

    .venv/bin/python benchmarks/ann_efficiency.py
    .venv/bin/python benchmarks/ann_efficiency.py --sizes 10000,30000 --out /tmp/eff
    .venv/bin/python benchmarks/ann_efficiency.py --embeddings docs.npy --queries queries.npy
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency.crossover import crossover
from crossrank.efficiency.figure import efficiency_figure
from crossrank.efficiency.probes import machine_description, matmul_peak_gflops
from crossrank.efficiency.report import summary_table, write_study
from crossrank.efficiency.study import StudySettings, run_study

DEFAULT_SIZES = "1000,3000,10000,30000,100000,300000,1000000"
DEFAULT_EF = "50,100,200,400,800"


def integers(text: str) -> list[int]:
    """``"10000,30000"`` -> ``[10000, 30000]`` (underscores and ``k``/``M`` suffixes allowed)."""
    values = []
    for part in text.split(","):
        part = part.strip().replace("_", "").lower()
        scale = 1_000_000 if part.endswith("m") else 1000 if part.endswith("k") else 1
        values.append(int(float(part.rstrip("km")) * scale))
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return values


def main() -> None:
    """Parse the arguments, run the study, print the ratios and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=integers, default=integers(DEFAULT_SIZES), help=f"corpus sizes (default {DEFAULT_SIZES})")
    parser.add_argument("--dim", type=int, default=384, help="dimension of synthetic embeddings (default 384, all-MiniLM-L6-v2)")
    parser.add_argument("--k", type=int, default=100, help="depth of the search and of recall@k (default 100)")
    parser.add_argument("--ef", type=integers, default=integers(DEFAULT_EF), help=f"HNSW ef sweep (default {DEFAULT_EF})")
    parser.add_argument("--n-queries", type=int, default=1000, help="queries per size, batched (default 1000)")
    parser.add_argument("--latency-queries", type=int, default=100, help="queries timed one at a time (default 100)")
    parser.add_argument("--threads", type=int, default=2, help="threads for torch and hnswlib (default 2)")
    parser.add_argument("--deterministic", action="store_true", help="single-threaded deterministic HNSW build (the pipeline's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora and samples (default 0)")
    parser.add_argument("--embeddings", type=Path, help="real document embeddings (.npy, rows L2-normalised)")
    parser.add_argument("--queries", type=Path, help="real query embeddings (.npy); default: noisy copies of documents")
    parser.add_argument("--out", type=Path, default=Path("results/benchmarks"), help="output folder (default results/benchmarks)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()
    if args.queries and not args.embeddings:
        parser.error("--queries needs --embeddings")
    if min(args.k, args.n_queries, args.latency_queries, args.threads, args.dim) < 1:
        parser.error("--k, --n-queries, --latency-queries, --threads and --dim must be >= 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    study = StudySettings(
        sizes=args.sizes,
        k=args.k,
        ef_values=args.ef,
        hnsw=HnswSettings(determinism=args.deterministic),
        threads=args.threads,
        n_queries=args.n_queries,
        latency_queries=args.latency_queries,
        seed=args.seed,
        dim=args.dim,
        progress=not args.quiet,
    )
    settings = study.hnsw
    real_docs = np.load(args.embeddings, mmap_mode="r") if args.embeddings else None
    real_queries = np.load(args.queries, mmap_mode="r") if args.queries else None
    total = time.perf_counter()
    peak = matmul_peak_gflops(args.threads)
    machine = machine_description(args.threads, peak)
    print(f"machine: {machine}")
    print(f"float32 matmul peak (torch, 2048^3, best of 5, {args.threads} threads): {peak:.1f} GFLOP/s")
    note = "" if settings.determinism else ", parallel: not the pipeline's deterministic single-threaded build"
    print(
        f"HNSW M={settings.m} ef_construction={settings.ef_construction}, determinism={settings.determinism} "
        f"(build on {settings.build_threads(args.threads)} thread(s){note})"
    )
    sizes_text = ", ".join(f"{n:,}" for n in sorted(set(args.sizes)))
    print(f"sizes {sizes_text}; k={args.k}; ef sweep {args.ef}; default ef {settings.ef_for(args.k)}")
    if real_docs is not None:
        queries = "file" if real_queries is not None else "noisy copies of documents"
        print(f"real embeddings: {real_docs.shape[0]:,} x {real_docs.shape[1]} documents; queries: {queries}")
    print()

    frame = run_study(study, real_docs=real_docs, real_queries=real_queries)
    sizes = crossover(frame, settings=settings)
    ef = int(sizes["ef"])
    table = summary_table(frame, ef)
    recall = f"recall@{args.k}"
    print(f"\nper size, HNSW at ef={ef} vs exact (ratio > 1: HNSW faster):")
    header = (
        f"{'size':>10} {'source':<20} {'b1 ratio':>9} {'batch ratio':>11} {recall:>10} {'build s':>8} "
        f"{'exact GFLOP/s':>13} {'% of peak':>9} {'peak RSS GiB':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in table.to_dict("records"):
        print(
            f"{row['size']:>10,} {row['source']:<20} {row['HNSW/exact b1']:>8.2f}x {row['HNSW/exact batched']:>10.2f}x "
            f"{row[recall]:>10.3f} {row['HNSW build s']:>8.1f} {row['exact GFLOP/s']:>13.1f} {row['exact GFLOP/s'] / peak:>9.0%} "
            f"{row['peak RSS GiB']:>12.2f}"
        )
    for mode, words in (("batch1", "batch 1"), ("batched", f"batched ({args.n_queries} queries per call)")):
        value = sizes[mode]
        if value is None:
            text = "HNSW never faster in the measured range"
        elif sizes[f"{mode}_wins_at_smallest"]:
            text = f"HNSW already faster at the smallest size ({value:,.0f}): crossover below it"
        else:
            text = f"~{value:,.0f} documents (first measured win at {sizes[f'{mode}_first_win']:,.0f})"
        print(f"crossover {words}: {text}")

    out = args.out
    write_study(frame, out / "ann_efficiency.csv", out / "ann_efficiency.md", sizes, machine)
    sources = "/".join(sorted(frame["source"].unique()))
    efficiency_figure(
        frame, out / "ann_efficiency.png", f"Exact search vs HNSW (M={settings.m}, efC={settings.ef_construction}), {sources} embeddings"
    )
    print(f"\nwrote {out / 'ann_efficiency.csv'}, .md, .png; total {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
