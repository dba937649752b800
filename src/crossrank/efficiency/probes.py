"""The efficiency study's probes: timings, memory, the machine's matmul peak and recall against exact search.

Each probe measures one quantity the study reports; what it measures, and so what each column
means (``qps_batched``, ``p50_ms``, ``p95_ms``, ``qps_batch1``, ``recall_at_k``,
``peak_rss_gib``), is defined in the docstring of :mod:`crossrank.efficiency.study`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import os
import platform
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from crossrank.core.runs import Ranking

BATCHED_REPEATS = 3  # batched searches timed per measurement (median), at most ...
BATCHED_SECONDS = 5.0  # ... until this many seconds are spent

Search = Callable[[np.ndarray], list[Ranking]]
"""A search of some query vectors (rows) for their rankings, its other arguments (k, ef) bound."""


def matmul_peak_gflops(threads: int, size: int = 2048, repeats: int = 5) -> float:
    """Best float32 ``size x size`` matrix-multiply rate of torch on ``threads`` threads, in GFLOP/s.

    The baseline of the exact search's ``gflops``: how close the search comes to what the
    machine's matrix product can do.
    """
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
    """CPU model, cores, memory, library versions and the measured matmul peak, in one line.

    Printed at the top of every report, since timings only mean something beside the machine they were measured on.
    """
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
    """Peak resident set size of this process so far, in GiB (``ru_maxrss`` is KiB on Linux).

    A high-water mark, not the memory of the latest measurement: the OS keeps no per-phase peak.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def batch1_latencies(search: Search, queries: np.ndarray, count: int, progress: bool, label: str) -> np.ndarray:
    """Seconds of ``search(one query)`` for each of the first ``count`` queries, after one untimed warm-up.

    Batch-1 latency is what an interactive user waits for, and where HNSW's sublinear search
    pays off first (a batch amortises the exact search's matrix product).
    """
    search(queries[:1])  # warm-up, untimed
    times = np.empty(min(count, len(queries)))
    for i in tqdm(range(len(times)), desc=label, unit="query", disable=not progress, leave=False):
        started = time.perf_counter()
        search(queries[i : i + 1])
        times[i] = time.perf_counter() - started
    return times


def timed_batched(search: Search, queries: np.ndarray) -> tuple[list[Ranking], float]:
    """Rankings of one ``search(all queries)`` call and its median seconds over up to :data:`BATCHED_REPEATS` calls.

    After an untimed warm-up on 8 queries; repeats stop once :data:`BATCHED_SECONDS` have been
    spent, so a slow search is timed once and a fast one (tenths of a second, noisy) three times.
    The rankings are those of the last call (the exact ones are the truth of ``recall_at_k``).
    """
    search(queries[: min(len(queries), 8)])  # warm-up, untimed
    times: list[float] = []
    rankings: list[Ranking] = []
    while len(times) < BATCHED_REPEATS and sum(times) < BATCHED_SECONDS:
        started = time.perf_counter()
        rankings = search(queries)
        times.append(time.perf_counter() - started)
    return rankings, float(np.median(times))


def latency_columns(seconds: np.ndarray) -> dict[str, float]:
    """The study's ``qps_batch1`` (1 / mean), ``p50_ms`` and ``p95_ms`` of batch-1 latencies in seconds.

    One place for the three columns every method's row carries, so exact and HNSW are summarised alike.
    """
    p50, p95 = np.percentile(seconds, [50, 95]) * 1000.0
    return {"qps_batch1": 1.0 / float(np.mean(seconds)), "p50_ms": float(p50), "p95_ms": float(p95)}


def recall_at_k(found: Sequence[Sequence[tuple[str, float]]], exact: Sequence[Sequence[tuple[str, float]]], k: int, size: int) -> float:
    """Mean over queries of ``|found top-k ∩ exact top-k| / min(k, size)``.

    What HNSW gives up for its speed, relative to the exact search on the same queries.
    """
    if len(found) != len(exact):
        raise ValueError(f"{len(found)} rankings to compare with {len(exact)} exact ones")
    depth = min(k, size)
    if depth == 0 or not found:
        return float("nan")
    hits = [len({d for d, _ in f[:k]} & {d for d, _ in e[:k]}) for f, e in zip(found, exact, strict=True)]
    return float(np.mean(hits)) / depth
