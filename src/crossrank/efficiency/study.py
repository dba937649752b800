"""Exact dense search vs HNSW: throughput, latency, memory and recall as the corpus grows.

Replaces the paper's appendix E / Table 7 (min-max normalised completion timestamps, not
durations) with measured seconds. :class:`StudySettings` says what to measure,
:func:`run_study` measures it; the corpora come from :mod:`crossrank.efficiency.corpus`, the
timings and memory from :mod:`crossrank.efficiency.probes`, the crossover from
:mod:`crossrank.efficiency.crossover`. Definitions used throughout (``settings`` below is the
study's :class:`StudySettings`):

- **Corpus.** Real embeddings (a seeded sample without replacement of ``size`` rows of the
  given matrix, re-normalised) when there are at least ``size`` of them, else synthetic
  clustered embeddings (:func:`crossrank.efficiency.corpus.clustered_embeddings`) of the real
  dimension, or ``settings.dim``. Queries are the given real queries (the first
  ``settings.n_queries``), else *noisy copies* of documents drawn uniformly without
  replacement: ``normalise(doc + noise)`` with noise of expected norm
  :data:`crossrank.efficiency.corpus.QUERY_NOISE` (0.75: cosine ~0.8 to its source document),
  drawn from the mixture's own noise spectrum for synthetic documents and isotropic for real
  ones, so every query has true neighbours. Column ``source``: ``"real"`` or
  ``"synthetic-clustered"``.
- **Exact.** :class:`crossrank.dense.exact.ExactSearcher` (torch matmul + topk, chunked): the
  pipeline's own search, including its deterministic ranking of each top-k.
- **HNSW.** :func:`crossrank.dense.hnsw.build_index` + :class:`crossrank.dense.hnsw.HnswSearcher`
  with the given :class:`~crossrank.dense.hnsw.HnswSettings` (``settings.hnsw``); ``build_s`` is
  the wall time of the build with ``settings.hnsw.build_threads(threads)`` threads (one when
  ``determinism`` is set). hnswlib searches with ``max(ef, k)``, so every ef below k is the same
  search as ef = k: each *effective* ef is measured once and its row repeated for each requested
  ef that maps to it (column ``ef_effective``). The default ef, ``settings.hnsw.ef_for(k)``, is
  always measured.
- **qps_batched.** Number of queries / wall seconds of one ``search`` call over all
  queries (the searcher batches them itself): the median of up to 3 such calls (fewer once
  5 s have been spent; :data:`crossrank.efficiency.probes.BATCHED_REPEATS` and
  :data:`~crossrank.efficiency.probes.BATCHED_SECONDS`), after an untimed warm-up call on 8
  queries (:func:`crossrank.efficiency.probes.timed_batched`).
- **p50_ms, p95_ms, qps_batch1.** Each of the first ``latency_queries`` queries searched
  alone (one ``search`` call per query, batch 1), timed with ``time.perf_counter``;
  p50/p95 of those latencies in milliseconds; ``qps_batch1 = 1 / mean latency``
  (:func:`crossrank.efficiency.probes.batch1_latencies`, :func:`~crossrank.efficiency.probes.latency_columns`).
- **recall_at_k.** Mean over queries of ``|HNSW top-k ∩ exact top-k| / min(k, size)``, the
  exact top-k from the batched exact search on the same queries (1.0 for exact by
  definition; :func:`crossrank.efficiency.probes.recall_at_k`).
- **gflops.** Exact only: ``2 * queries * size * dim / batched seconds / 1e9``, the
  matrix-product work the batched search achieves (its top-k selection and ranking count
  as time but not as work), to set beside :func:`crossrank.efficiency.probes.matmul_peak_gflops`.
- **build_s.** Exact: seconds to construct the searcher (docid order); HNSW: graph build.
- **index_mib.** Exact: bytes of the float32 document matrix; HNSW:
  :func:`crossrank.dense.hnsw.index_memory_bytes` (vectors + graph); in MiB (2**20 bytes).
- **peak_rss_gib.** The process's peak resident set so far (``ru_maxrss``, KiB on Linux),
  in GiB, read after each method of each size: a high-water mark, not that size's own use
  (:func:`crossrank.efficiency.probes.peak_rss_gib`).
- **size, dim, method, ef, threads, build_threads, k, queries, latency_queries.** The measured
  corpus's rows and dimension; ``"exact"`` or ``"hnsw"``; the requested ef (missing for exact);
  the search threads; the build threads (exact: the search threads); the search depth; the
  number of queries searched batched, and of those timed one at a time.
- **Crossover.** See :func:`crossrank.efficiency.crossover.crossover`.
"""

from __future__ import annotations

import functools
import gc
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from crossrank.dense.exact import ExactSearcher
from crossrank.dense.hnsw import HnswSearcher, HnswSettings, build_index, index_memory_bytes
from crossrank.efficiency.corpus import study_corpus
from crossrank.efficiency.probes import batch1_latencies, latency_columns, peak_rss_gib, recall_at_k, timed_batched

log = logging.getLogger("crossrank")

INTEGER_COLUMNS = {"size", "ef", "ef_effective"}
COLUMNS = [
    "size",
    "dim",
    "source",
    "method",
    "ef",
    "ef_effective",
    "build_s",
    "index_mib",
    "qps_batched",
    "qps_batch1",
    "p50_ms",
    "p95_ms",
    "recall_at_k",
    "gflops",
    "peak_rss_gib",
    "threads",
    "build_threads",
    "k",
    "queries",
    "latency_queries",
]


@dataclass(frozen=True)
class StudySettings:
    """What :func:`run_study` measures, and how (definitions: the module docstring).

    ``sizes`` and ``ef_values`` may be any sequences; they are stored as tuples.
    """

    sizes: Sequence[int]  # corpus sizes, measured in ascending order (duplicates once)
    k: int = 100  # search depth, and the k of recall@k
    ef_values: Sequence[int] = (50, 100, 200, 400, 800)  # HNSW ef sweep (plus hnsw.ef_for(k), always measured)
    hnsw: HnswSettings = field(default_factory=HnswSettings)  # HNSW construction and default search settings
    threads: int = 2  # torch and hnswlib search threads (the build: hnsw.build_threads(threads))
    n_queries: int = 1000  # queries per size, searched in one call
    latency_queries: int = 100  # of those, the first ones searched one at a time
    seed: int = 0  # seed of the synthetic corpora and of the samples
    dim: int = 384  # dimension of synthetic embeddings when there are no real ones
    query_batch: int = 1024  # exact search: queries per matrix product (the pipeline's retrieval.query_batch)
    doc_batch: int = 262144  # exact search: documents per matrix product (retrieval.doc_batch)
    device: str = "cpu"  # exact search's torch device (resolved: "cpu", "cuda:0", ...)
    progress: bool = True  # progress bars

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(self.sizes))
        object.__setattr__(self, "ef_values", tuple(self.ef_values))
        if self.k < 1 or self.n_queries < 1 or self.latency_queries < 1:
            raise ValueError("k, n_queries and latency_queries must be >= 1")

    @classmethod
    def from_params(
        cls, study: Mapping[str, Any], ann: Mapping[str, Any], retrieval: Mapping[str, Any], threads: int, device: str
    ) -> StudySettings:
        """From the ``efficiency``, ``ann`` and ``retrieval`` blocks of ``params.yaml``.

        ``efficiency``: ``sizes``, ``ef``, ``queries``, ``latency_queries``, ``seed``; ``ann``:
        :meth:`HnswSettings.from_params <crossrank.dense.hnsw.HnswSettings.from_params>`;
        ``retrieval``: ``top_k``, ``query_batch``, ``doc_batch`` (the pipeline's exact search).
        ``threads`` is the job's; ``device`` the resolved ``retrieval.device``
        (:func:`crossrank.core.devices.resolve_device`). ``dim`` and ``progress`` keep their defaults.
        """
        return cls(
            sizes=study["sizes"],
            k=retrieval["top_k"],
            ef_values=study["ef"],
            hnsw=HnswSettings.from_params(ann),
            threads=threads,
            n_queries=study["queries"],
            latency_queries=study["latency_queries"],
            seed=study["seed"],
            query_batch=retrieval["query_batch"],
            doc_batch=retrieval["doc_batch"],
            device=device,
        )


def run_study(settings: StudySettings, real_docs: np.ndarray | None = None, real_queries: np.ndarray | None = None) -> pd.DataFrame:
    """Measure exact search and HNSW (over the ef sweep) at each corpus size; one row per (size, method, ef).

    Exact search runs with the settings' ``query_batch``, ``doc_batch`` and ``device``. Sizes
    run in ascending order, each freed before the next. torch runs on ``settings.threads``
    threads (restored afterwards); HNSW searches on ``settings.threads`` threads and builds on
    ``settings.hnsw.build_threads(settings.threads)``. ``real_docs`` / ``real_queries``: real
    embeddings to use where there are enough (see "Corpus" in the module docstring). Columns:
    :data:`COLUMNS` (definitions: module docstring).
    """
    default_ef = settings.hnsw.ef_for(settings.k)
    requested = sorted(set(settings.ef_values) | {default_ef})
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, settings.threads))
    rows: list[dict] = []
    try:
        for size in sorted(set(settings.sizes)):
            rows += _one_size(size, settings, requested, real_docs, real_queries)
            gc.collect()
    finally:
        torch.set_num_threads(previous_threads)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"ef": "Int64", "ef_effective": "Int64"})  # integers, missing (<NA>) for exact


def _one_size(
    size: int, settings: StudySettings, requested: list[int], real_docs: np.ndarray | None, real_queries: np.ndarray | None
) -> list[dict]:
    """The rows of one corpus size: exact search, then HNSW at each effective ef of ``requested``."""
    k, threads, latency_queries, progress = settings.k, settings.threads, settings.latency_queries, settings.progress
    started = time.perf_counter()
    docs, queries, source = study_corpus(size, settings.dim, settings.n_queries, settings.seed, real_docs, real_queries)
    size, dim = docs.shape
    log.info("size %d: %s corpus (%d x %d, %d queries) in %.1f s", size, source, size, dim, len(queries), time.perf_counter() - started)
    docids = [f"d{i:07d}" for i in range(size)]
    common = {"size": size, "dim": dim, "source": source, "threads": threads, "k": k, "queries": len(queries)}
    common["latency_queries"] = min(latency_queries, len(queries))

    started = time.perf_counter()
    exact = ExactSearcher(docs, docids, query_batch=settings.query_batch, doc_batch=settings.doc_batch, device=settings.device)
    exact_build = time.perf_counter() - started

    exact_search = functools.partial(exact.search, k=k, progress=False)
    truth, seconds = timed_batched(exact_search, queries)
    latencies = batch1_latencies(exact_search, queries, latency_queries, progress, f"exact latency {size}")
    rows = [
        {
            **common,
            "method": "exact",
            "ef": np.nan,
            "ef_effective": np.nan,
            "build_s": exact_build,
            "index_mib": docs.nbytes / 2**20,
            "qps_batched": len(queries) / seconds,
            **latency_columns(latencies),
            "recall_at_k": 1.0,
            "gflops": 2.0 * len(queries) * size * dim / seconds / 1e9,
            "peak_rss_gib": peak_rss_gib(),
            "build_threads": threads,
        }
    ]
    log.info("size %d: exact %.0f queries/s batched, %.1f queries/s at batch 1", size, rows[0]["qps_batched"], rows[0]["qps_batch1"])
    del exact
    gc.collect()

    hnsw = settings.hnsw
    build_threads = hnsw.build_threads(threads)
    log.info("size %d: building HNSW (M=%d, efC=%d) on %d thread(s)", size, hnsw.m, hnsw.ef_construction, build_threads)
    started = time.perf_counter()
    index = build_index(docs, hnsw, threads, progress=progress)
    build_s = time.perf_counter() - started
    index_mib = index_memory_bytes(index) / 2**20
    log.info("size %d: HNSW built in %.1f s (%.0f docs/s)", size, build_s, size / build_s)
    searcher = HnswSearcher(index, docids, hnsw, threads)
    measured: dict[int, dict] = {}
    for ef in requested:
        effective = max(ef, min(k, size))
        if effective not in measured:
            hnsw_search = functools.partial(searcher.search, k=k, ef=effective, progress=False)
            found, seconds = timed_batched(hnsw_search, queries)
            latencies = batch1_latencies(hnsw_search, queries, latency_queries, progress, f"hnsw ef={effective} latency {size}")
            measured[effective] = {
                "qps_batched": len(queries) / seconds,
                **latency_columns(latencies),
                "recall_at_k": recall_at_k(found, truth, k, size),
            }
            log.info(
                "size %d: HNSW ef=%d %.0f queries/s batched, %.1f at batch 1, recall@%d %.3f",
                size,
                effective,
                measured[effective]["qps_batched"],
                measured[effective]["qps_batch1"],
                k,
                measured[effective]["recall_at_k"],
            )
        rows.append(
            {
                **common,
                "method": "hnsw",
                "ef": ef,
                "ef_effective": effective,
                "build_s": build_s,
                "index_mib": index_mib,
                **measured[effective],
                "gflops": np.nan,
                "peak_rss_gib": peak_rss_gib(),
                "build_threads": build_threads,
            }
        )
    del searcher, index, docs, queries, truth, docids
    gc.collect()
    return rows
