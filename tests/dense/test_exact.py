from __future__ import annotations

import numpy as np

from crossrank.dense.exact import exact_search


def _normalised(rng, n, d):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_blocked_search_equals_brute_force():
    rng = np.random.default_rng(0)
    docs, queries = _normalised(rng, 500, 16), _normalised(rng, 37, 16)
    docids = [f"d{i:04d}" for i in range(500)]
    rankings = exact_search(queries, docs, docids, k=10, query_batch=8, doc_batch=64)
    scores = queries @ docs.T
    for q, ranking in enumerate(rankings):
        expected = np.argsort(-scores[q], kind="stable")[:10]
        assert [d for d, _ in ranking] == [docids[i] for i in expected]
        assert [s for _, s in ranking] == sorted((s for _, s in ranking), reverse=True)


def test_ties_are_broken_by_docid_descending_like_trec_eval():
    docs = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    rankings = exact_search(np.array([[1.0, 0.0]], dtype=np.float32), docs, ["a", "b", "c"], k=2, doc_batch=1)
    assert [d for d, _ in rankings[0]] == ["b", "a"]


def test_k_larger_than_the_pool_returns_every_document():
    rng = np.random.default_rng(1)
    rankings = exact_search(_normalised(rng, 2, 4), _normalised(rng, 3, 4), ["x", "y", "z"], k=100)
    assert all(len(r) == 3 for r in rankings)


def test_ties_at_the_cutoff_follow_trec_eval_not_torch():
    docs = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    for doc_batch in (1, 2, 3):
        rankings = exact_search(np.array([[1.0, 0.0]], dtype=np.float32), docs, ["a", "z", "m"], k=1, doc_batch=doc_batch)
        assert [d for d, _ in rankings[0]] == ["z"], doc_batch
    nearly = np.array([[1.0, 0.0], [0.99999994, 0.0]], dtype=np.float32)
    rankings = exact_search(np.array([[1.0, 0.0]], dtype=np.float32), nearly, ["a", "z"], k=1)
    assert [d for d, _ in rankings[0]] == ["z"]  # equal after rounding to 6 decimals


def test_memory_mapped_float16_documents_search_like_float32(tmp_path):
    rng = np.random.default_rng(2)
    docs, queries = _normalised(rng, 300, 16), _normalised(rng, 9, 16)
    np.save(tmp_path / "docs.npy", docs.astype(np.float16))
    docids = [f"d{i:03d}" for i in range(300)]
    half = exact_search(queries, np.load(tmp_path / "docs.npy", mmap_mode="r"), docids, k=5, doc_batch=70)
    full = exact_search(queries, docs.astype(np.float16).astype(np.float32), docids, k=5)
    assert half == full


def test_a_searcher_answers_many_query_batches_with_one_pool():
    from crossrank.dense.exact import ExactSearcher

    rng = np.random.default_rng(3)
    docs, queries = _normalised(rng, 200, 8), _normalised(rng, 20, 8)
    docids = [f"d{i:03d}" for i in range(200)]
    searcher = ExactSearcher(docs, docids, query_batch=3, doc_batch=50)
    parts = searcher.search(queries[:6], 4, progress=False) + searcher.search(queries[6:], 4, progress=False)
    whole = exact_search(queries, docs, docids, 4, query_batch=3, doc_batch=50)
    assert [[d for d, _ in r] for r in parts] == [[d for d, _ in r] for r in whole]
    np.testing.assert_allclose([[s for _, s in r] for r in parts], [[s for _, s in r] for r in whole], atol=2e-6)


def test_more_ties_than_the_slack_still_follow_trec_eval():
    from crossrank.dense.exact import TIE_SLACK

    copies = 3 * TIE_SLACK  # near-duplicates tying at the cut-off, more than a block keeps by default
    docs = np.vstack([np.tile([[0.6, 0.8]], (copies, 1)), [[1.0, 0.0]], [[0.0, 1.0]]]).astype(np.float32)
    docids = [f"d{i:03d}" for i in range(copies)] + ["best", "worst"]
    for doc_batch in (7, 1000):
        ranking = exact_search(np.array([[1.0, 0.0]], dtype=np.float32), docs, docids, k=5, doc_batch=doc_batch)[0]
        assert [d for d, _ in ranking] == ["best", *[f"d{i:03d}" for i in range(copies - 1, copies - 5, -1)]], doc_batch


def test_zero_depth_or_empty_pool_returns_empty_rankings():
    queries = np.ones((2, 3), dtype=np.float32)
    assert exact_search(queries, np.ones((4, 3), dtype=np.float32), list("abcd"), k=0) == [[], []]
    assert exact_search(queries, np.zeros((0, 3), dtype=np.float32), [], k=5) == [[], []]
