from __future__ import annotations

import numpy as np

from crossrank.efficiency import corpus
from crossrank.efficiency.corpus import SOURCE_REAL, SOURCE_SYNTHETIC, clustered_embeddings, study_corpus


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
    monkeypatch.setattr(corpus, "BLOCK_ROWS", 300)
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
