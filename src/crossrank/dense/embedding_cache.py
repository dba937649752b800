"""A content-addressed, resumable store of text embeddings.

One directory per encoder fingerprint (model identity, revision, pooling, max length, precision,
storage dtype). Inside, embeddings are kept in immutable chunks: ``{chunk}.vectors.npy``
(float32, or float16 when the fingerprint's ``storage`` says so; memory-mappable, never
pickled) and ``{chunk}.keys.npy`` (the SHA-256 of prefix + text of each row), then the seal
``{chunk}.sha256`` holding both files' digests and the chunk's commit number
(:mod:`crossrank.core.cache_store`). Each is written to a temporary file and renamed, the seal
last, so a chunk is visible only once complete: an interrupted encode loses at most the chunk in
progress, and concurrent jobs never see a half-written one. The same text in two datasets or two
conditions is encoded once. Chunks are write-once and committed under the directory's lock: two
jobs encoding the same texts at once (their batches, so their padding and last float bits, may
differ) leave one chunk per name, and a text stored in two chunks is always read from the one
committed first, so every job reads the same vector, the one it was first given.

Every chunk is verified against its seal before a process first uses it: its keys file when
the chunk is first listed, its vectors file the first time a wanted key lives in it (one
sequential read, about 0.1 s per 100 MB), so a job never hashes the chunks of other datasets
sharing the cache. A damaged or truncated chunk is moved aside into ``damaged/`` and its keys
reported as missing, so exactly its texts are re-encoded; its vectors are never read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tqdm import tqdm

from crossrank.core.cache_store import (
    Quarantined,
    chunk_name,
    chunk_problem,
    chunk_verdict,
    fingerprint_directory,
    quarantine_chunk,
    quarantine_unsealed,
    sealed_chunks,
    text_key,
    write_sealed_chunk,
)

Encode = Callable[[list[str]], np.ndarray]
VECTORS = ".vectors.npy"
KEYS = ".keys.npy"
CHUNK_SUFFIXES = (VECTORS, KEYS)


__all__ = ["EmbeddingCache", "embed_with_cache", "encode_missing", "text_key"]


class EmbeddingCache:
    """Embeddings of one encoder fingerprint, stored under ``root``."""

    def __init__(self, root: str | os.PathLike[str], fingerprint: dict[str, Any]):
        self.directory = fingerprint_directory(root, fingerprint)
        self.dtype = np.dtype(fingerprint.get("storage", "float32"))
        self._index: dict[bytes, tuple[str, int]] = {}
        self._rows: dict[str, int] = {}  # chunks whose keys are indexed -> their row count
        self._order: dict[str, tuple[int, str]] = {}  # indexed chunk -> (commit number, name): the first one wins
        self._verified: set[str] = set()  # chunks whose vectors file matched its seal
        self._rejected: set[str] = set()  # failed verification but could not be moved aside

    def _refresh(self) -> None:
        """Index the keys of every sealed chunk new to this process, verifying its keys file first."""
        for chunk in sealed_chunks(self.directory):
            if chunk in self._rows or chunk in self._rejected:
                continue
            keys, commit, problem = self._verified_keys(chunk)
            if problem is None:
                self._register(chunk, keys, commit)
            else:
                self._set_aside(chunk, problem)
        quarantine_unsealed(self.directory, CHUNK_SUFFIXES)

    def _verified_keys(self, chunk: str) -> tuple[np.ndarray, int, str | None]:
        """A chunk's keys and commit number if its keys file matches its seal, else what is wrong."""
        problem, commit = chunk_verdict(self.directory, chunk, (KEYS,))
        if problem is not None:
            return np.empty(0, dtype="S64"), commit, problem
        try:
            return np.load(self.directory / f"{chunk}{KEYS}", allow_pickle=False), commit, None
        except (OSError, ValueError) as error:
            return np.empty(0, dtype="S64"), commit, f"{chunk}{KEYS} is unreadable as .npy ({type(error).__name__}: {error})"

    def _register(self, chunk: str, keys: np.ndarray | Sequence[bytes], commit: int) -> None:
        order = self._order[chunk] = (commit, chunk)
        for row, key in enumerate(keys):
            # A text stored by two jobs lives in two chunks: always read the one committed first
            # (then the smallest name), so every process returns the same vector whatever order
            # it loaded them in, and a chunk committed later never changes a vector already read.
            found = self._index.get(bytes(key))
            if found is None or order < self._order[found[0]]:
                self._index[bytes(key)] = (chunk, row)
        self._rows[chunk] = len(keys)

    def _verify_vectors(self, keys: Sequence[bytes]) -> None:
        """Verify the vectors file of every chunk holding one of ``keys`` (once per process); set aside those that fail."""
        for chunk in sorted({self._index[key][0] for key in keys if key in self._index} - self._verified):
            problem = self._vectors_problem(chunk)
            if problem is None:
                self._verified.add(chunk)
            else:
                self._set_aside(chunk, problem)

    def _vectors_problem(self, chunk: str) -> str | None:
        """What is wrong with a chunk's vectors file (its seal, its .npy header, its row count), or None."""
        problem = chunk_problem(self.directory, chunk, (VECTORS,))
        if problem is not None:
            return problem
        try:
            rows = np.load(self.directory / f"{chunk}{VECTORS}", mmap_mode="r", allow_pickle=False).shape[0]
        except (OSError, ValueError) as error:
            return f"{chunk}{VECTORS} is unreadable as .npy ({type(error).__name__}: {error})"
        return None if rows == self._rows[chunk] else f"{self._rows[chunk]} keys but {rows} vectors"

    def _whole_problem(self, chunk: str) -> str | None:
        """What is wrong with a chunk's two files (seal, .npy headers, row counts), or None: the re-check before quarantine."""
        problem = chunk_problem(self.directory, chunk, CHUNK_SUFFIXES)
        if problem is not None:
            return problem
        try:
            keys = np.load(self.directory / f"{chunk}{KEYS}", mmap_mode="r", allow_pickle=False).shape[0]
            rows = np.load(self.directory / f"{chunk}{VECTORS}", mmap_mode="r", allow_pickle=False).shape[0]
        except (OSError, ValueError) as error:
            return f"a file of {chunk} is unreadable as .npy ({type(error).__name__}: {error})"
        return None if rows == keys else f"{keys} keys but {rows} vectors"

    def _set_aside(self, chunk: str, problem: str) -> None:
        """Quarantine a chunk and forget its keys, which are then missing (another chunk's copy of one is recomputed too).

        The chunk is re-checked under the directory's lock first: if another job moved it aside or
        committed it afresh meanwhile, nothing is moved and the next refresh reads it again.
        """
        outcome = quarantine_chunk(self.directory, chunk, CHUNK_SUFFIXES, problem, lambda: self._whole_problem(chunk))
        if outcome is Quarantined.STUCK:
            self._rejected.add(chunk)
        self._rows.pop(chunk, None)
        self._order.pop(chunk, None)
        self._verified.discard(chunk)
        self._index = {key: found for key, found in self._index.items() if found[0] != chunk}

    def missing(self, keys: Sequence[bytes]) -> list[bytes]:
        """Keys without a stored, verified embedding (first occurrence order, no repeats)."""
        self._refresh()
        wanted = list(dict.fromkeys(keys))
        self._verify_vectors(wanted)
        return [key for key in wanted if key not in self._index]

    def add(self, keys: Sequence[bytes], vectors: np.ndarray) -> bool:
        """Store one chunk of embeddings atomically, sealed; it is readable at once (this job wrote and hashed it).

        Returns False when another job had committed a chunk of the same keys first: then its
        vectors (maybe different in the last bits, from another batch) are the ones read.
        """
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        chunk = chunk_name(keys)
        stored = np.ascontiguousarray(vectors, dtype=self.dtype)
        commit = write_sealed_chunk(
            self.directory,
            chunk,
            {
                VECTORS: lambda tmp: np.save(tmp, stored, allow_pickle=False),
                KEYS: lambda tmp: np.save(tmp, np.array(keys, dtype="S64"), allow_pickle=False),
            },
        )
        if commit is None:
            return False  # the next refresh indexes (and verifies) the chunk that was there first
        self._rejected.discard(chunk)
        self._register(chunk, keys, commit)
        self._verified.add(chunk)
        return True

    def gather(self, keys: Sequence[bytes]) -> np.ndarray:
        """The stored embeddings of ``keys``, in order, as one matrix of the storage dtype (KeyError if one is missing).

        Only chunks whose files matched their seal are read.
        """
        self._refresh()
        self._verify_vectors(keys)
        locations = [self._index[key] for key in keys]
        by_chunk: dict[str, list[int]] = {}
        for position, (chunk, _row) in enumerate(locations):
            by_chunk.setdefault(chunk, []).append(position)
        result: np.ndarray | None = None
        for chunk, positions in by_chunk.items():
            vectors = np.load(self.directory / f"{chunk}{VECTORS}", mmap_mode="r", allow_pickle=False)
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
