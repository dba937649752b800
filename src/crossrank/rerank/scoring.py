"""Cross-encoder scores of (query, document) pairs, cached by content and computed in length-sorted batches.

The cache is the embedding cache's store (:class:`crossrank.dense.embedding_cache.EmbeddingCache`)
with one-dimensional "vectors": one directory per checkpoint fingerprint (its content hash, max
length, precision), immutable chunks keyed by the SHA-256 of query and document. Re-ranking a
second first-stage run, or the other candidate mode, scores only the pairs not seen before; an
interrupted job keeps every finished chunk. Missing pairs are scored longest first (little
padding per batch) under inference mode, fp16 on CUDA.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from crossrank.core.model_source import resolve_model
from crossrank.dense.embedding_cache import EmbeddingCache, embed_with_cache

# Joins a query and a document into one cache text; refused inside either, so a pair has one key.
PAIR_SEPARATOR = "\x1f"

ScorePairs = Callable[[list[tuple[str, str]]], np.ndarray]


def cross_encoder_fingerprint(checkpoint: str, max_length: int, precision: str) -> dict[str, Any]:
    """What determines a checkpoint's scores: its content hash (``local@...``), max length and precision."""
    _path, identity = resolve_model(checkpoint)
    return {"kind": "cross-encoder", "model": identity, "max_length": max_length, "precision": precision, "storage": "float32"}


def pair_text(query: str, document: str) -> str:
    """The cache text of one pair (the separator may appear in neither)."""
    if PAIR_SEPARATOR in query or PAIR_SEPARATOR in document:
        raise ValueError("a query or document contains the unit separator U+001F, which the score cache reserves")
    return f"{query}{PAIR_SEPARATOR}{document}"


def cached_scores(
    pairs: Sequence[tuple[str, str]],
    cache_root: str | os.PathLike[str],
    fingerprint: dict[str, Any],
    score_pairs: Callable[[], ScorePairs],
    chunk_size: int = 4096,
) -> np.ndarray:
    """The score of every ``(query, document)`` of ``pairs``, in order, computing only what the cache lacks.

    ``score_pairs`` is a factory called at most once and only when something is missing, so a
    fully cached run never loads the model.
    """
    cache = EmbeddingCache(cache_root, fingerprint)
    texts = [pair_text(query, document) for query, document in pairs]

    def encode() -> Callable[[list[str]], np.ndarray]:
        scorer = score_pairs()

        def score(batch: list[str]) -> np.ndarray:
            split = [tuple(text.split(PAIR_SEPARATOR, 1)) for text in batch]
            return np.asarray(scorer(split), dtype=np.float32).reshape(-1, 1)  # type: ignore[arg-type]

        return score

    if not texts:
        return np.zeros(0, dtype=np.float32)
    return embed_with_cache(texts, cache, encode, chunk_size)[:, 0]


def cross_encoder_scorer(checkpoint: str, max_length: int, batch_size: int, device: str) -> ScorePairs:
    """Score pairs with a sentence-transformers ``CrossEncoder`` (raw logits, the order a sigmoid keeps), fp16 on CUDA."""
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    path, _ = resolve_model(checkpoint)
    model = CrossEncoder(path, max_length=max_length, device=device, activation_fn=torch.nn.Identity())
    if device.startswith("cuda"):
        model.half()

    def score(pairs: list[tuple[str, str]]) -> np.ndarray:
        with torch.inference_mode():
            return np.asarray(model.predict(pairs, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True))

    return score
