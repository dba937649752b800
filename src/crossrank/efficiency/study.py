"""Exact dense search vs HNSW: throughput, latency, memory and recall as the corpus grows.

Replaces the paper's appendix E / Table 7 (min-max normalised completion timestamps, not
durations) with measured seconds. Definitions used throughout:

- **Corpus.** Real embeddings (a seeded sample without replacement of ``size`` rows of the
  given matrix, re-normalised) when there are at least ``size`` of them, else synthetic
  clustered embeddings (:func:`clustered_embeddings`) of the real dimension, or ``dim``.
  Queries are the given real queries (the first ``n_queries``), else *noisy copies* of
  documents drawn uniformly without replacement: ``normalise(doc + noise)`` with noise of
  expected norm :data:`QUERY_NOISE` (0.75: cosine ~0.8 to its source document), drawn
  from the mixture's own noise spectrum for synthetic documents and isotropic for real
  ones, so every query has true neighbours.
- **Exact.** :class:`crossrank.dense.ExactSearcher` (torch matmul + topk, chunked): the
  pipeline's own search, including its deterministic ranking of each top-k.
- **HNSW.** :func:`crossrank.ann.build_index` + :class:`crossrank.ann.HnswSearcher` with
  the given :class:`~crossrank.ann.HnswSettings`; ``build_s`` is the wall time of the build
  with ``settings.build_threads(threads)`` threads (one when ``determinism`` is set). hnswlib
  searches with ``max(ef, k)``, so every ef below k is the same search as ef = k: each
  *effective* ef is measured once and its row repeated for each requested ef that maps to it
  (column ``ef_effective``). The default ef, ``settings.ef_for(k)``, is always measured.
- **qps_batched.** Number of queries / wall seconds of one ``search`` call over all
  queries (the searcher batches them itself): the median of up to 3 such calls (fewer once
  5 s have been spent), after an untimed warm-up call on 8 queries.
- **p50_ms, p95_ms, qps_batch1.** Each of the first ``latency_queries`` queries searched
  alone (one ``search`` call per query, batch 1), timed with ``time.perf_counter``;
  p50/p95 of those latencies in milliseconds; ``qps_batch1 = 1 / mean latency``.
- **recall_at_k.** Mean over queries of ``|HNSW top-k ∩ exact top-k| / min(k, size)``, the
  exact top-k from the batched exact search on the same queries (1.0 for exact by
  definition).
- **gflops.** Exact only: ``2 * queries * size * dim / batched seconds / 1e9``, the
  matrix-product work the batched search achieves (its top-k selection and ranking count
  as time but not as work), to set beside :func:`matmul_peak_gflops`.
- **build_s.** Exact: seconds to construct the searcher (docid order); HNSW: graph build.
- **index_mib.** Exact: bytes of the float32 document matrix; HNSW:
  :func:`crossrank.ann.index_memory_bytes` (vectors + graph); in MiB (2**20 bytes).
- **peak_rss_gib.** The process's peak resident set so far (``ru_maxrss``, KiB on Linux),
  in GiB, read after each method of each size: a high-water mark, not that size's own use.
- **Crossover.** See :func:`crossover`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib.metadata
import logging
import math
import os
import platform
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from crossrank.dense.exact import ExactSearcher
from crossrank.dense.hnsw import HnswSearcher, HnswSettings, build_index, index_memory_bytes

log = logging.getLogger("crossrank")

SOURCE_REAL = "real"
SOURCE_SYNTHETIC = "synthetic-clustered"
QUERY_NOISE = 0.75  # expected norm of the noise added to a document to make a query
BLOCK_ROWS = 65536  # rows generated per block (fixed: the output must not depend on it)
ZIPF_EXPONENT = 1.0  # cluster sizes ∝ rank**-ZIPF_EXPONENT
SPREAD = (0.5, 1.0)  # range of the per-cluster noise scale sigma (intra-cluster cosine ~0.8 to ~0.5)
SPECTRUM = 1.0  # noise variance ∝ j**-SPECTRUM along the j-th principal axis
INTEGER_COLUMNS = {"size", "ef", "ef_effective"}
BATCHED_REPEATS = 3  # batched searches timed per measurement (median), at most ...
BATCHED_SECONDS = 5.0  # ... until this many seconds are spent
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
MODES = {"batch1": "qps_batch1", "batched": "qps_batched"}


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.maximum(norms, np.finfo(np.float32).tiny)).astype(np.float32, copy=False)


@dataclass(frozen=True)
class _Mixture:
    """The generative model of :func:`clustered_embeddings` (fixed by seed, dim and count)."""

    centres: np.ndarray  # (clusters, dim) unit vectors
    probabilities: np.ndarray  # (clusters,) Zipf weights
    spread: np.ndarray  # (clusters,) noise scale sigma of each cluster
    basis: np.ndarray  # (dim, dim): standard normal @ basis = anisotropic noise of expected norm 1

    def noise(self, rng: np.random.Generator, rows: int) -> np.ndarray:
        """``rows`` draws of the shared anisotropic noise (expected norm 1)."""
        return rng.standard_normal((rows, self.basis.shape[0]), dtype=np.float32) @ self.basis


def _mixture(
    count: int, dim: int, seed: int, clusters: int | None, zipf_exponent: float, spread: tuple[float, float], spectrum: float
) -> _Mixture:
    n = clusters if clusters is not None else max(2, count // 100)
    if n < 1 or dim < 2:
        raise ValueError(f"need at least one cluster and two dimensions, got clusters={n}, dim={dim}")
    rng = np.random.default_rng([seed, 0])
    centres = _normalise(rng.standard_normal((n, dim), dtype=np.float32))
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** zipf_exponent
    sigma = rng.uniform(spread[0], spread[1], size=n).astype(np.float32)
    rotation, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    scale = np.arange(1, dim + 1, dtype=np.float64) ** (-spectrum / 2)
    scale /= np.sqrt(np.sum(scale**2))  # expected squared norm of the noise: 1
    basis = (scale[:, None] * rotation.T).astype(np.float32)
    return _Mixture(centres, weights / weights.sum(), sigma, basis)


def clustered_embeddings(
    count: int,
    dim: int,
    seed: int,
    *,
    clusters: int | None = None,
    zipf_exponent: float = ZIPF_EXPONENT,
    spread: tuple[float, float] = SPREAD,
    spectrum: float = SPECTRUM,
) -> np.ndarray:
    """``count`` L2-normalised float32 vectors shaped like sentence embeddings of a topical corpus.

    A mixture of ``clusters`` topics (default ``count // 100``, at least 2) whose sizes follow
    Zipf's law (the r-th topic's share ∝ r**-zipf_exponent: a few large topics, a long tail of
    small ones), centres uniform on the sphere. A point is ``normalise(centre + sigma * noise)``
    with one sigma per cluster, uniform in ``spread``; two points of a cluster have cosine about
    1 / (1 + sigma**2), i.e. 0.5-0.8 for the default spread, while points of different clusters
    are near-orthogonal. The noise is anisotropic like real embeddings: variance ∝ j**-spectrum
    along the j-th axis of one random rotation shared by all clusters, which for the default
    gives an effective dimension (participation ratio) of about 26 at dim 384, close to
    estimates of the intrinsic dimension of sentence embeddings, whereas isotropic noise in 384
    dimensions makes every point nearly equidistant from its cluster mates (the hard, unrealistic
    case for HNSW). Generated in blocks of :data:`BLOCK_ROWS` rows each with its own seeded
    generator: memory is the output plus one block, and the output depends only on the arguments.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    mixture = _mixture(count, dim, seed, clusters, zipf_exponent, spread, spectrum)
    labels = np.random.default_rng([seed, 1]).choice(len(mixture.centres), size=count, p=mixture.probabilities)
    out = np.empty((count, dim), dtype=np.float32)
    for block, start in enumerate(range(0, count, BLOCK_ROWS)):
        rows = labels[start : start + BLOCK_ROWS]
        rng = np.random.default_rng([seed, 2, block])
        points = mixture.centres[rows] + mixture.spread[rows, None] * mixture.noise(rng, len(rows))
        out[start : start + len(rows)] = _normalise(points)
    return out


def _noisy_copies(docs: np.ndarray, count: int, rng: np.random.Generator, mixture: _Mixture | None) -> np.ndarray:
    """``normalise(doc + QUERY_NOISE * noise)`` for ``count`` documents drawn without replacement."""
    picks = np.sort(rng.choice(len(docs), size=min(count, len(docs)), replace=False))
    base = np.asarray(docs[picks], dtype=np.float32)
    if mixture is None:  # real documents: isotropic noise of norm 1
        mixture_noise = _normalise(rng.standard_normal(base.shape, dtype=np.float32))
        return _normalise(base + QUERY_NOISE * mixture_noise)
    noise = mixture.noise(rng, len(base))
    return _normalise(base + QUERY_NOISE * noise)


def study_corpus(
    size: int,
    dim: int,
    n_queries: int,
    seed: int,
    real_docs: np.ndarray | None = None,
    real_queries: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, str]:
    """``(documents, queries, source)`` for one corpus size of the study (see the module docstring).

    ``source`` is ``"real"`` when ``real_docs`` has at least ``size`` rows (a seeded sample of
    them; queries: ``real_queries[:n_queries]`` or noisy copies of sampled documents), else
    ``"synthetic-clustered"`` (dimension of ``real_docs`` if given, else ``dim``).
    """
    rng = np.random.default_rng([seed, size, 3])
    if real_docs is not None and len(real_docs) >= size:
        picks = np.sort(rng.choice(len(real_docs), size=size, replace=False))
        docs = _normalise(np.asarray(real_docs[picks], dtype=np.float32))
        if real_queries is not None:
            if real_queries.shape[1] != docs.shape[1]:
                raise ValueError(f"query dimension {real_queries.shape[1]} != document dimension {docs.shape[1]}")
            queries = _normalise(np.asarray(real_queries[:n_queries], dtype=np.float32))
        else:
            queries = _noisy_copies(docs, n_queries, rng, None)
        return docs, queries, SOURCE_REAL
    dim = real_docs.shape[1] if real_docs is not None else dim
    docs = clustered_embeddings(size, dim, seed)
    mixture = _mixture(size, dim, seed, None, ZIPF_EXPONENT, SPREAD, SPECTRUM)  # clustered_embeddings' defaults
    return docs, _noisy_copies(docs, n_queries, rng, mixture), SOURCE_SYNTHETIC


def matmul_peak_gflops(threads: int, size: int = 2048, repeats: int = 5) -> float:
    """Best float32 ``size x size`` matrix-multiply rate of torch on ``threads`` threads, in GFLOP/s."""
    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        generator = torch.Generator().manual_seed(0)
        a = torch.randn(size, size, generator=generator)
        b = torch.randn(size, size, generator=generator)
        with torch.inference_mode():
            torch.mm(a, b)  # warm-up: thread pool, allocations
            best = math.inf
            for _ in range(max(1, repeats)):
                started = time.perf_counter()
                torch.mm(a, b)
                best = min(best, time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)
    return 2.0 * size**3 / best / 1e9


def machine_description(threads: int, peak: float) -> str:
    """CPU model, cores, memory, library versions and the measured matmul peak, in one line."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; {threads} threads; python {platform.python_version()}, "
        f"torch {torch.__version__}, hnswlib {importlib.metadata.version('hnswlib')}, numpy {np.__version__}; "
        f"float32 matmul peak {peak:.0f} GFLOP/s"
    )


def peak_rss_gib() -> float:
    """Peak resident set size of this process so far, in GiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _latencies(search: Callable[[np.ndarray], list], queries: np.ndarray, count: int, progress: bool, label: str) -> np.ndarray:
    """Seconds of ``search(one query)`` for each of the first ``count`` queries."""
    search(queries[:1])  # warm-up, untimed
    times = np.empty(min(count, len(queries)))
    for i in tqdm(range(len(times)), desc=label, unit="query", disable=not progress, leave=False):
        started = time.perf_counter()
        search(queries[i : i + 1])
        times[i] = time.perf_counter() - started
    return times


def _timed(search: Callable[[np.ndarray], list], queries: np.ndarray) -> tuple[list, float]:
    """Rankings of one ``search(all queries)`` call and its median seconds over up to :data:`BATCHED_REPEATS` calls.

    After an untimed warm-up; repeats stop once :data:`BATCHED_SECONDS` have been spent, so a
    slow search is timed once and a fast one (tenths of a second, noisy) three times.
    """
    search(queries[: min(len(queries), 8)])  # warm-up, untimed
    times: list[float] = []
    rankings: list = []
    while len(times) < BATCHED_REPEATS and sum(times) < BATCHED_SECONDS:
        started = time.perf_counter()
        rankings = search(queries)
        times.append(time.perf_counter() - started)
    return rankings, float(np.median(times))


def recall_at_k(found: Sequence[Sequence[tuple[str, float]]], exact: Sequence[Sequence[tuple[str, float]]], k: int, size: int) -> float:
    """Mean over queries of ``|found top-k ∩ exact top-k| / min(k, size)``."""
    if len(found) != len(exact):
        raise ValueError(f"{len(found)} rankings to compare with {len(exact)} exact ones")
    depth = min(k, size)
    if depth == 0 or not found:
        return float("nan")
    hits = [len({d for d, _ in f[:k]} & {d for d, _ in e[:k]}) for f, e in zip(found, exact, strict=True)]
    return float(np.mean(hits)) / depth


def run_study(
    sizes: Sequence[int],
    *,
    k: int = 100,
    ef_values: Sequence[int] = (50, 100, 200, 400, 800),
    settings: HnswSettings = HnswSettings(),  # noqa: B008 (frozen dataclass)
    threads: int = 2,
    n_queries: int = 1000,
    latency_queries: int = 100,
    seed: int = 0,
    dim: int = 384,
    real_docs: np.ndarray | None = None,
    real_queries: np.ndarray | None = None,
    query_batch: int = 1024,
    doc_batch: int = 262144,
    device: str = "cpu",
    progress: bool = True,
) -> pd.DataFrame:
    """Measure exact search and HNSW (over the ef sweep) at each corpus size; one row per (size, method, ef).

    Exact search runs with the pipeline's ``query_batch``, ``doc_batch`` and ``device``. Sizes
    run in ascending order, each freed before the next. torch runs on ``threads`` threads
    (restored afterwards); HNSW searches on ``threads`` threads and builds on
    ``settings.build_threads(threads)``. Columns: :data:`COLUMNS` (definitions: module docstring).
    """
    if k < 1 or n_queries < 1 or latency_queries < 1:
        raise ValueError("k, n_queries and latency_queries must be >= 1")
    default_ef = settings.ef_for(k)
    requested = sorted(set(ef_values) | {default_ef})
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    rows: list[dict] = []
    try:
        for size in sorted(set(sizes)):
            rows += _one_size(
                size,
                k=k,
                requested=requested,
                settings=settings,
                threads=threads,
                n_queries=n_queries,
                latency_queries=latency_queries,
                seed=seed,
                dim=dim,
                real_docs=real_docs,
                real_queries=real_queries,
                query_batch=query_batch,
                doc_batch=doc_batch,
                device=device,
                progress=progress,
            )
            gc.collect()
    finally:
        torch.set_num_threads(previous_threads)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"ef": "Int64", "ef_effective": "Int64"})  # integers, missing (<NA>) for exact


def _one_size(
    size: int,
    *,
    k: int,
    requested: list[int],
    settings: HnswSettings,
    threads: int,
    n_queries: int,
    latency_queries: int,
    seed: int,
    dim: int,
    real_docs: np.ndarray | None,
    real_queries: np.ndarray | None,
    query_batch: int,
    doc_batch: int,
    device: str,
    progress: bool,
) -> list[dict]:
    """The rows of one corpus size: exact search, then HNSW at each effective ef of ``requested``."""
    started = time.perf_counter()
    docs, queries, source = study_corpus(size, dim, n_queries, seed, real_docs, real_queries)
    size, dim = docs.shape
    log.info("size %d: %s corpus (%d x %d, %d queries) in %.1f s", size, source, size, dim, len(queries), time.perf_counter() - started)
    docids = [f"d{i:07d}" for i in range(size)]
    common = {"size": size, "dim": dim, "source": source, "threads": threads, "k": k, "queries": len(queries)}
    common["latency_queries"] = min(latency_queries, len(queries))

    started = time.perf_counter()
    exact = ExactSearcher(docs, docids, query_batch=query_batch, doc_batch=doc_batch, device=device)
    exact_build = time.perf_counter() - started

    exact_search = functools.partial(exact.search, k=k, progress=False)
    truth, seconds = _timed(exact_search, queries)
    latencies = _latencies(exact_search, queries, latency_queries, progress, f"exact latency {size}")
    rows = [
        {
            **common,
            "method": "exact",
            "ef": np.nan,
            "ef_effective": np.nan,
            "build_s": exact_build,
            "index_mib": docs.nbytes / 2**20,
            "qps_batched": len(queries) / seconds,
            **_latency_columns(latencies),
            "recall_at_k": 1.0,
            "gflops": 2.0 * len(queries) * size * dim / seconds / 1e9,
            "peak_rss_gib": peak_rss_gib(),
            "build_threads": threads,
        }
    ]
    log.info("size %d: exact %.0f queries/s batched, %.1f queries/s at batch 1", size, rows[0]["qps_batched"], rows[0]["qps_batch1"])
    del exact
    gc.collect()

    build_threads = settings.build_threads(threads)
    log.info("size %d: building HNSW (M=%d, efC=%d) on %d thread(s)", size, settings.m, settings.ef_construction, build_threads)
    started = time.perf_counter()
    index = build_index(docs, settings, threads, progress=progress)
    build_s = time.perf_counter() - started
    index_mib = index_memory_bytes(index) / 2**20
    log.info("size %d: HNSW built in %.1f s (%.0f docs/s)", size, build_s, size / build_s)
    searcher = HnswSearcher(index, docids, settings, threads)
    measured: dict[int, dict] = {}
    for ef in requested:
        effective = max(ef, min(k, size))
        if effective not in measured:
            hnsw_search = functools.partial(searcher.search, k=k, ef=effective, progress=False)
            found, seconds = _timed(hnsw_search, queries)
            latencies = _latencies(hnsw_search, queries, latency_queries, progress, f"hnsw ef={effective} latency {size}")
            measured[effective] = {
                "qps_batched": len(queries) / seconds,
                **_latency_columns(latencies),
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


def _latency_columns(seconds: np.ndarray) -> dict[str, float]:
    p50, p95 = np.percentile(seconds, [50, 95]) * 1000.0
    return {"qps_batch1": 1.0 / float(np.mean(seconds)), "p50_ms": float(p50), "p95_ms": float(p95)}


def default_ef(frame: pd.DataFrame, settings: HnswSettings | None = None) -> int:
    """The ef the study's default HNSW search used: ``settings.ef_for(k)`` with k from the frame."""
    ks = frame["k"].dropna().unique()
    if len(ks) != 1:
        raise ValueError(f"the frame must hold exactly one k, found {sorted(ks)}")
    return (settings or HnswSettings()).ef_for(int(ks[0]))


def crossover(frame: pd.DataFrame, ef: int | None = None, settings: HnswSettings | None = None) -> dict[str, float | bool | None]:
    """The corpus size from which HNSW answers more queries per second than exact search.

    For each mode -- ``"batch1"`` (``qps_batch1``) and ``"batched"`` (``qps_batched``) -- take
    the ratio r(N) = HNSW QPS / exact QPS at every measured size N that has both an exact row
    and an HNSW row at ``ef`` (default: :func:`default_ef`, i.e. ``settings.ef_for(k)``). HNSW
    *wins* at N when r(N) > 1. The crossover is where HNSW wins from then on, at every larger
    measured size (a noisy loss in between is not skipped over):

    - ``None`` if HNSW loses at the largest measured size (the crossover, if any, lies beyond);
    - the smallest size, with ``"<mode>_wins_at_smallest": True``, if HNSW wins at every size
      (the crossover lies at or below it);
    - otherwise the N* where the straight line through (log N, log r) at the last losing size
      and the next (winning) size crosses log r = 0 (log-log interpolation), between those two
      sizes. ``"<mode>_first_win"`` holds that first size of the winning streak.

    Also returns ``"ef"`` (the ef used).
    """
    ef = default_ef(frame, settings) if ef is None else ef
    exact = frame[frame["method"] == "exact"].set_index("size")
    hnsw = frame[(frame["method"] == "hnsw") & (frame["ef"] == ef)].set_index("size")
    sizes = sorted(set(exact.index) & set(hnsw.index))
    result: dict[str, float | bool | None] = {"ef": float(ef)}
    for mode, column in MODES.items():
        ratios = [float(hnsw.loc[n, column]) / float(exact.loc[n, column]) for n in sizes]
        losses = [i for i, r in enumerate(ratios) if r <= 1.0]
        first = 0 if not losses else losses[-1] + 1  # start of the winning streak that reaches the largest size
        result[f"{mode}_wins_at_smallest"] = bool(sizes) and not losses
        result[f"{mode}_first_win"] = float(sizes[first]) if first < len(sizes) else None
        if first >= len(sizes):
            result[mode] = None
        elif first == 0:
            result[mode] = float(sizes[0])
        else:
            x0, x1 = math.log(sizes[first - 1]), math.log(sizes[first])
            y0, y1 = math.log(ratios[first - 1]), math.log(ratios[first])
            result[mode] = float(math.exp(x0 + (0.0 - y0) * (x1 - x0) / (y1 - y0)))
    return result
