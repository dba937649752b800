"""A content-addressed, resumable store of text embeddings.

One directory per encoder fingerprint (model identity, revision, pooling, max length, precision,
storage dtype). Inside, embeddings are kept in immutable chunks: ``{chunk}.vectors.npy``
(float32, or float16 when the fingerprint's ``storage`` says so; memory-mappable, never
pickled) and ``{chunk}.keys.npy`` (the SHA-256 of prefix + text of each row). A chunk is
written to temporary files and renamed, keys last, so a chunk is visible only once complete:
an interrupted encode loses at most the chunk in progress, and concurrent jobs never see a
half-written one. The same text in two datasets or two conditions is encoded once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tqdm import tqdm

from crossrank.core.cache_store import chunk_name, fingerprint_directory, text_key
from crossrank.core.io import atomic_path

Encode = Callable[[list[str]], np.ndarray]


__all__ = ["EmbeddingCache", "embed_with_cache", "encode_missing", "text_key"]


class EmbeddingCache:
    """Embeddings of one encoder fingerprint, stored under ``root``."""

    def __init__(self, root: str | os.PathLike[str], fingerprint: dict[str, Any]):
        self.directory = fingerprint_directory(root, fingerprint)
        self.dtype = np.dtype(fingerprint.get("storage", "float32"))
        self._index: dict[bytes, tuple[str, int]] = {}
        self._loaded_chunks: set[str] = set()

    def _refresh(self) -> None:
        for keys_file in sorted(self.directory.glob("*.keys.npy")):
            chunk = keys_file.name[: -len(".keys.npy")]
            if chunk in self._loaded_chunks:
                continue
            for row, key in enumerate(np.load(keys_file)):
                # A text stored by two jobs lives in two chunks: always read the smallest chunk
                # name, so every process returns the same vector whatever order it loaded them.
                found = self._index.get(bytes(key))
                if found is None or chunk < found[0]:
                    self._index[bytes(key)] = (chunk, row)
            self._loaded_chunks.add(chunk)

    def missing(self, keys: Sequence[bytes]) -> list[bytes]:
        """Keys without a stored embedding (first occurrence order, no repeats)."""
        self._refresh()
        return [key for key in dict.fromkeys(keys) if key not in self._index]

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store one chunk of embeddings atomically."""
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        chunk = chunk_name(keys)
        with atomic_path(self.directory / f"{chunk}.vectors.npy") as tmp:
            np.save(tmp, np.ascontiguousarray(vectors, dtype=self.dtype), allow_pickle=False)
        with atomic_path(self.directory / f"{chunk}.keys.npy") as tmp:
            np.save(tmp, np.array(keys, dtype="S64"), allow_pickle=False)

    def gather(self, keys: Sequence[bytes]) -> np.ndarray:
        """The stored embeddings of ``keys``, in order, as one matrix of the storage dtype."""
        self._refresh()
        locations = [self._index[key] for key in keys]
        by_chunk: dict[str, list[int]] = {}
        for position, (chunk, _row) in enumerate(locations):
            by_chunk.setdefault(chunk, []).append(position)
        result: np.ndarray | None = None
        for chunk, positions in by_chunk.items():
            vectors = np.load(self.directory / f"{chunk}.vectors.npy", mmap_mode="r")
            if result is None:
                result = np.empty((len(keys), vectors.shape[1]), dtype=self.dtype)
            rows = [locations[p][1] for p in positions]
            result[positions] = vectors[rows]
        if result is None:
            raise ValueError("gather() needs at least one key")
        return result


def encode_missing(texts: Sequence[str], cache: EmbeddingCache, encode: Callable[[], Encode], chunk_size: int = 1024) -> int:
    """Encode and store the ``texts`` (model inputs, prefix included) the cache lacks; return how many.

    ``encode`` is a factory called at most once, and only if something is missing, so a fully
    cached run never loads the model. Missing texts are encoded longest-first (so a batch
    holds texts of similar length and little padding) in chunks of ``chunk_size``, each stored
    before the next starts.
    """
    keys = [text_key(text) for text in texts]
    missing = set(cache.missing(keys))
    if not missing:
        return 0
    by_key = {key: text for key, text in zip(keys, texts, strict=True) if key in missing}
    todo = sorted(by_key, key=lambda key: (-len(by_key[key]), key))
    encoder = encode()
    with tqdm(total=len(todo), desc="encode", unit="text") as progress:
        for start in range(0, len(todo), chunk_size):
            chunk_keys = todo[start : start + chunk_size]
            cache.add(chunk_keys, encoder([by_key[key] for key in chunk_keys]))
            progress.update(len(chunk_keys))
    return len(todo)


def embed_with_cache(texts: Sequence[str], cache: EmbeddingCache, encode: Callable[[], Encode], chunk_size: int = 1024) -> np.ndarray:
    """Embeddings of ``texts`` (model inputs, prefix included), computing only what is missing."""
    encode_missing(texts, cache, encode, chunk_size)
    return cache.gather([text_key(text) for text in texts])
