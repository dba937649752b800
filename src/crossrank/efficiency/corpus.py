"""The efficiency study's corpora: a seeded sample of real embeddings, else synthetic clustered ones.

:func:`study_corpus` gives the documents and queries of one corpus size;
:func:`clustered_embeddings` is the synthetic generator it falls back to. The definition of the
corpus and its queries (what is real, what is synthetic, how queries are made) is in the
docstring of :mod:`crossrank.efficiency.study`, "Corpus", beside the other definitions of the
study's columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SOURCE_REAL = "real"
SOURCE_SYNTHETIC = "synthetic-clustered"
QUERY_NOISE = 0.75  # expected norm of the noise added to a document to make a query
BLOCK_ROWS = 65536  # rows generated per block (fixed: the output must not depend on it)
ZIPF_EXPONENT = 1.0  # cluster sizes ∝ rank**-ZIPF_EXPONENT
SPREAD = (0.5, 1.0)  # range of the per-cluster noise scale sigma (intra-cluster cosine ~0.8 to ~0.5)
SPECTRUM = 1.0  # noise variance ∝ j**-SPECTRUM along the j-th principal axis


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
    """``(documents, queries, source)`` for one corpus size of the study (see "Corpus" in :mod:`crossrank.efficiency.study`).

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
