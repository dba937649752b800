from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from crossrank.dense.hnsw import HnswSettings
from crossrank.efficiency import study as efficiency
from crossrank.efficiency.figure import efficiency_figure
from crossrank.efficiency.report import PAPER_TABLE7, write_study
from crossrank.efficiency.study import (
    COLUMNS,
    SOURCE_REAL,
    SOURCE_SYNTHETIC,
    clustered_embeddings,
    crossover,
    recall_at_k,
    run_study,
    study_corpus,
)

REQUIRED = [
    "size",
    "dim",
    "source",
    "method",
    "ef",
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
]


def _nearest_cosine(vectors: np.ndarray) -> float:
    scores = vectors @ vectors.T
    np.fill_diagonal(scores, -2.0)
    return float(scores.max(axis=1).mean())


def test_clustered_embeddings_are_normalised_deterministic_and_clustered():
    x = clustered_embeddings(2000, 32, seed=7)
    assert x.shape == (2000, 32) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(x, clustered_embeddings(2000, 32, seed=7))
    assert not np.allclose(x, clustered_embeddings(2000, 32, seed=8))
    rng = np.random.default_rng(0)
    uniform = rng.standard_normal((2000, 32)).astype(np.float32)
    uniform /= np.linalg.norm(uniform, axis=1, keepdims=True)
    assert _nearest_cosine(x) > _nearest_cosine(uniform) + 0.2  # ~0.87 vs ~0.57 at 32-d
    one = clustered_embeddings(400, 32, seed=1, clusters=1)  # one topic: intra-cluster cosine
    pairs = (one @ one.T)[np.triu_indices(400, 1)]
    assert 0.45 < pairs.mean() < 0.85


def test_clustered_embeddings_blocks_do_not_repeat(monkeypatch):
    monkeypatch.setattr(efficiency, "BLOCK_ROWS", 300)
    x = clustered_embeddings(1000, 16, seed=3)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(x[:300], x[300:600])  # every block has its own generator
    assert len(np.unique(x.round(5), axis=0)) == 1000
    np.testing.assert_array_equal(x, clustered_embeddings(1000, 16, seed=3))


def test_study_corpus_uses_real_embeddings_only_when_there_are_enough():
    rng = np.random.default_rng(0)
    real = rng.standard_normal((3000, 24)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    real_queries = real[:40] + 0.1
    docs, queries, source = study_corpus(2000, 16, 30, seed=0, real_docs=real, real_queries=real_queries)
    assert source == SOURCE_REAL and docs.shape == (2000, 24) and queries.shape == (30, 24)
    assert np.abs(docs @ real.T).max(axis=1).min() > 0.9999  # every document is a row of the real matrix
    assert len(np.unique(docs, axis=0)) == 2000  # sampled without replacement
    np.testing.assert_allclose(queries, real_queries[:30] / np.linalg.norm(real_queries[:30], axis=1, keepdims=True), atol=1e-6)
    docs, queries, source = study_corpus(5000, 16, 30, seed=0, real_docs=real, real_queries=real_queries)
    assert source == SOURCE_SYNTHETIC and docs.shape == (5000, 24) and queries.shape == (30, 24)  # the real dimension
    docs, queries, source = study_corpus(2000, 16, 30, seed=0)
    assert source == SOURCE_SYNTHETIC and docs.shape == (2000, 16)
    assert (queries @ docs.T).max(axis=1).min() > 0.5  # noisy copies of documents: each has a true neighbour
    _, real_copies, source = study_corpus(2000, 16, 30, seed=0, real_docs=real)
    assert source == SOURCE_REAL and real_copies.shape == (30, 24)


def test_recall_at_k_counts_the_overlap_with_the_exact_top_k():
    exact = [[("a", 0.9), ("b", 0.8)], [("c", 0.9), ("d", 0.5)]]
    found = [[("a", 0.9), ("x", 0.7)], [("d", 0.5), ("c", 0.9)]]
    assert recall_at_k(found, exact, k=2, size=100) == pytest.approx(0.75)
    assert recall_at_k([[("a", 1.0)]], [[("a", 1.0)]], k=100, size=1) == 1.0  # divided by min(k, size)


@pytest.fixture(scope="module")
def study() -> pd.DataFrame:
    settings = HnswSettings(m=8, ef_construction=40)
    return run_study(
        [2000, 600],
        k=20,
        ef_values=(10, 20, 200),
        settings=settings,
        threads=1,
        n_queries=60,
        latency_queries=5,
        dim=32,
        progress=False,
    )


def test_run_study_rows_and_columns(study):
    assert list(study.columns) == COLUMNS and set(REQUIRED) <= set(study.columns)
    # per size: exact + ef 10, 20, 200 and the default ef_for(20) = 50; sizes ascending
    assert len(study) == 2 * 5
    assert list(study["size"].drop_duplicates()) == [600, 2000]
    exact = study[study["method"] == "exact"]
    hnsw = study[study["method"] == "hnsw"]
    assert exact["ef"].isna().all() and (exact["recall_at_k"] == 1.0).all()
    assert sorted(hnsw["ef"].unique()) == [10, 20, 50, 200]
    assert ((hnsw["recall_at_k"] >= 0) & (hnsw["recall_at_k"] <= 1)).all()
    assert (study[["qps_batched", "qps_batch1", "p50_ms", "p95_ms"]] > 0).all().all()
    assert (study["p95_ms"] >= study["p50_ms"]).all()
    assert (study["source"] == SOURCE_SYNTHETIC).all() and (study["dim"] == 32).all()
    for row in exact.itertuples():
        assert row.gflops == pytest.approx(2 * row.size * row.dim * row.qps_batched / 1e9)
        assert row.index_mib == pytest.approx(row.size * row.dim * 4 / 2**20)
    assert hnsw["gflops"].isna().all() and (hnsw["build_s"] > 0).all()
    assert (hnsw["index_mib"] > hnsw["size"] * hnsw["dim"] * 4 / 2**20).all()  # vectors plus graph


def test_run_study_ef_below_k_is_the_same_search_and_recall_grows_with_ef(study):
    hnsw = study[study["method"] == "hnsw"]
    for _, rows in hnsw.groupby("size"):
        below = rows[rows["ef"] <= 20]
        assert (below["ef_effective"] == 20).all()
        assert below["recall_at_k"].nunique() == 1 and below["qps_batched"].nunique() == 1  # measured once
        recalls = rows.sort_values("ef_effective").drop_duplicates("ef_effective")["recall_at_k"].to_numpy()
        assert np.all(np.diff(recalls) >= -0.02)
        assert recalls[-1] >= 0.98  # ef = 200 over <= 2000 documents is nearly exhaustive


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


def test_write_study_writes_csv_and_report_with_the_papers_table(study, tmp_path):
    result = crossover(study, settings=HnswSettings())
    assert result["ef"] == 50
    write_study(study, tmp_path / "s.csv", tmp_path / "s.md", result, "test machine")
    back = pd.read_csv(tmp_path / "s.csv")
    assert len(back) == len(study) and list(back.columns) == COLUMNS
    text = (tmp_path / "s.md").read_text()
    assert "test machine" in text and "Table 7" in text
    for value in ("0.388", "0.619", "0.451", "0.552", "0.362", "0.652", "31.9", "47.1", "60.1"):
        assert value in text
    assert "not a duration" in text and "synthetic clustered" in text and "every size (600, 2,000)" in text
    assert "HNSW/exact b1" in text and "## Crossover" in text and "ef=50" in text
    assert list(PAPER_TABLE7["method"]) == ["DNN", "ANN"]


def test_efficiency_figure_writes_a_png(study, tmp_path):
    path = tmp_path / "figure.png"
    efficiency_figure(study, path, "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
