from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from crossrank.efficiency import probes
from crossrank.efficiency.probes import (
    batch1_latencies,
    latency_columns,
    machine_description,
    matmul_peak_gflops,
    peak_rss_gib,
    recall_at_k,
    timed_batched,
)


def test_recall_at_k_counts_the_overlap_with_the_exact_top_k():
    exact = [[("a", 0.9), ("b", 0.8)], [("c", 0.9), ("d", 0.5)]]
    found = [[("a", 0.9), ("x", 0.7)], [("d", 0.5), ("c", 0.9)]]
    assert recall_at_k(found, exact, k=2, size=100) == pytest.approx(0.75)
    assert recall_at_k([[("a", 1.0)]], [[("a", 1.0)]], k=100, size=1) == 1.0  # divided by min(k, size)


def test_recall_at_k_needs_one_exact_ranking_per_query():
    with pytest.raises(ValueError, match="2 rankings to compare with 1 exact ones"):
        recall_at_k([[("a", 1.0)], [("b", 1.0)]], [[("a", 1.0)]], k=1, size=10)
    assert np.isnan(recall_at_k([], [], k=10, size=10))  # no queries: undefined


class _Recorder:
    """A fake search that records how many queries each call got, sleeping ``seconds`` per call."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.calls: list[int] = []
        self.seconds = seconds

    def __call__(self, queries: np.ndarray) -> list[list[tuple[str, float]]]:
        self.calls.append(len(queries))
        time.sleep(self.seconds)
        return [[(f"d{len(self.calls)}", 1.0)] for _ in queries]


def test_timed_batched_warms_up_then_times_up_to_the_repeats():
    queries = np.zeros((20, 4), dtype=np.float32)
    search = _Recorder()
    rankings, seconds = timed_batched(search, queries)
    assert search.calls == [8] + [20] * probes.BATCHED_REPEATS  # untimed warm-up on 8 queries, then the timed calls
    assert len(rankings) == 20 and rankings[0] == [(f"d{len(search.calls)}", 1.0)]  # the last call's rankings
    assert seconds >= 0.0


def test_timed_batched_times_a_slow_search_once(monkeypatch):
    monkeypatch.setattr(probes, "BATCHED_SECONDS", 0.01)
    search = _Recorder(seconds=0.02)
    _, seconds = timed_batched(search, np.zeros((3, 4), dtype=np.float32))
    assert search.calls == [3, 3] and seconds >= 0.015  # warm-up on all 3 queries, one timed call past the budget


def test_batch1_latencies_times_each_query_alone():
    search = _Recorder()
    times = batch1_latencies(search, np.zeros((10, 4), dtype=np.float32), 4, False, "test")
    assert search.calls == [1] * 5 and times.shape == (4,) and (times >= 0).all()  # warm-up, then one call per query
    assert batch1_latencies(_Recorder(), np.zeros((2, 4), dtype=np.float32), 5, False, "test").shape == (2,)  # at most all


def test_latency_columns_are_batch1_qps_and_percentiles_in_ms():
    columns = latency_columns(np.array([0.001, 0.002, 0.003, 0.004]))
    assert set(columns) == {"qps_batch1", "p50_ms", "p95_ms"}
    assert columns["qps_batch1"] == pytest.approx(400.0) and columns["p50_ms"] == pytest.approx(2.5)
    assert columns["p95_ms"] == pytest.approx(3.85)


def test_machine_probes():
    threads = torch.get_num_threads()
    assert matmul_peak_gflops(1, size=64, repeats=1) > 0
    assert torch.get_num_threads() == threads  # restored
    assert peak_rss_gib() > 0
    line = machine_description(3, 123.4)
    assert "3 threads" in line and "float32 matmul peak 123 GFLOP/s" in line and "hnswlib" in line
