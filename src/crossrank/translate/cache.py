"""A content-addressed, resumable store of translated pieces.

One directory per translation fingerprint (model identity, revision, generation settings,
precision); a piece's key is the hash of its FLORES-200 source code and its text. Translations
are stored in immutable chunks, ``{chunk}.jsonl`` (one ``[key, translation]`` per line),
written to a temporary file and renamed: a job killed at any point loses at most the chunk in
progress, a re-run translates only what no chunk holds, and a corpus sharing pieces with an
earlier one (another dataset, a larger sample, another shard) reuses them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from crossrank.core.cache_store import chunk_name, fingerprint_directory, text_key
from crossrank.core.io import atomic_write


def piece_key(source_code: str, piece: str) -> bytes:
    """Cache key of one source piece in one source language."""
    return text_key(f"{source_code}\n{piece}")


class TranslationCache:
    """Translations of one fingerprint, stored under ``root``."""

    def __init__(self, root: str | os.PathLike[str], fingerprint: dict[str, Any]):
        self.directory = fingerprint_directory(root, fingerprint)
        self._translations: dict[bytes, tuple[str, str]] = {}  # key -> (chunk, translation)
        self._loaded_chunks: set[str] = set()

    def _refresh(self) -> None:
        for chunk_file in sorted(self.directory.glob("*.jsonl")):
            if chunk_file.name in self._loaded_chunks:
                continue
            with open(chunk_file, encoding="utf-8") as handle:
                for line in handle:
                    key, translation = json.loads(line)
                    # Two jobs that translated the same piece store it twice (their batches,
                    # and so their padding, may differ): always read the smallest chunk name,
                    # so every process returns the same text whatever order it loaded them.
                    found = self._translations.get(key := key.encode("ascii"))
                    if found is None or chunk_file.name < found[0]:
                        self._translations[key] = (chunk_file.name, translation)
            self._loaded_chunks.add(chunk_file.name)

    def missing(self, keys: Sequence[bytes]) -> list[bytes]:
        """Keys without a stored translation (first occurrence order, no repeats)."""
        self._refresh()
        return [key for key in dict.fromkeys(keys) if key not in self._translations]

    def add(self, keys: Sequence[bytes], translations: Sequence[str]) -> None:
        """Store one chunk of translations atomically."""
        if len(keys) != len(translations):
            raise ValueError(f"{len(keys)} keys but {len(translations)} translations")
        with atomic_write(self.directory / f"{chunk_name(keys)}.jsonl") as handle:
            for key, translation in zip(keys, translations, strict=True):
                handle.write(json.dumps([key.decode("ascii"), translation], ensure_ascii=False) + "\n")

    def get(self, key: bytes) -> str:
        """The stored translation of ``key`` (KeyError if none)."""
        if key not in self._translations:
            self._refresh()
        return self._translations[key][1]
