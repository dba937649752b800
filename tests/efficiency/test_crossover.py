from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency.crossover import crossover, default_ef


def _frame(sizes, exact_b1, hnsw_b1, exact_batched, hnsw_batched, ef=200, k=100):
    rows = []
    for n, e1, h1, eb, hb in zip(sizes, exact_b1, hnsw_b1, exact_batched, hnsw_batched, strict=True):
        rows.append({"size": n, "method": "exact", "ef": np.nan, "qps_batch1": e1, "qps_batched": eb, "k": k})
        rows.append({"size": n, "method": "hnsw", "ef": ef, "qps_batch1": h1, "qps_batched": hb, "k": k})
        rows.append({"size": n, "method": "hnsw", "ef": 800, "qps_batch1": h1 / 100, "qps_batched": hb / 100, "k": k})
    return pd.DataFrame(rows)


def test_crossover_never_at_smallest_and_interpolated():
    sizes = [1000, 10_000, 100_000]
    frame = _frame(sizes, [100, 100, 100], [10, 50, 200], [1000, 1000, 1000], [1, 2, 3])
    result = crossover(frame)  # default ef for k=100: 200
    assert result["ef"] == 200
    # ratios 0.5 at 10k and 2 at 100k: log-log line crosses 1 at the geometric mean
    assert result["batch1"] == pytest.approx(math.sqrt(10_000 * 100_000))
    assert result["batch1_first_win"] == 100_000 and result["batch1_wins_at_smallest"] is False
    assert result["batched"] is None and result["batched_first_win"] is None and result["batched_wins_at_smallest"] is False
    assert crossover(frame, ef=800)["batch1"] is None  # another ef's rows: never faster

    wins = crossover(_frame(sizes, [1, 1, 1], [2, 3, 4], [1, 1, 1], [0.5, 4, 8]))
    assert wins["batch1"] == 1000 and wins["batch1_wins_at_smallest"] is True
    # batched: ratio 0.5 at 1k, 4 at 10k: log(0.5)+t*log(8)=0 -> t=1/3
    assert wins["batched"] == pytest.approx(1000 * 10 ** (1 / 3))
    uneven = crossover(_frame([1000, 4000], [100, 100], [25, 400], [1, 1], [1, 1]))
    assert uneven["batch1"] == pytest.approx(2000.0)  # ratio 1/4 -> 4 over a factor 4: crosses at the midpoint in log


def test_a_loss_after_a_win_moves_the_crossover_past_it():
    sizes = [1000, 10_000, 100_000, 1_000_000]
    # batch 1 ratios 2, 0.5, 2, 8: HNSW wins for good only from 100k; batched ratios 2, 2, 2, 0.5: loses at the largest size
    noisy = crossover(_frame(sizes, [10, 100, 100, 10], [20, 50, 200, 80], [10, 10, 10, 10], [20, 20, 20, 5]))
    assert noisy["batch1"] == pytest.approx(math.sqrt(10_000 * 100_000)) and noisy["batch1_first_win"] == 100_000
    assert noisy["batch1_wins_at_smallest"] is False
    assert noisy["batched"] is None and noisy["batched_first_win"] is None


def test_default_ef_is_the_settings_ef_for_the_frames_one_k():
    frame = _frame([1000], [1], [2], [1], [2], k=100)
    assert default_ef(frame) == 200  # max(50, 2k)
    assert default_ef(frame, HnswSettings(ef_search=30)) == 100  # never below k
    assert crossover(frame, settings=HnswSettings(ef_search=800))["ef"] == 800
    with pytest.raises(ValueError, match="exactly one k"):
        default_ef(pd.concat([frame, _frame([1000], [1], [2], [1], [2], k=10)]))
