"""A content-addressed, resumable store of translated pieces.

One directory per translation fingerprint (model identity, revision, generation settings,
precision); a piece's key is the hash of its FLORES-200 source code and its text. Translations
are stored in immutable chunks, ``{chunk}.jsonl`` (one ``[key, translation]`` per line),
written to a temporary file and renamed, then sealed with its SHA-256 in ``{chunk}.sha256``
(:mod:`crossrank.core.cache_store`): a job killed at any point loses at most the chunk in
progress, a re-run translates only what no chunk holds, and a corpus sharing pieces with an
earlier one (another dataset, a larger sample, another shard) reuses them. A chunk is verified
on its first read in a process; one whose bytes do not match its seal, or that holds a line
that is not a ``[key, translation]`` pair, is moved into ``damaged/`` and its pieces are
translated again. Chunks are write-once and committed under the directory's lock: two shards or
datasets translating overlapping pieces at once leave one chunk per name, and a piece stored in
two chunks is always read from the one committed first, so every job reads the same text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crossrank.core.cache_store import (
    Quarantined,
    chunk_name,
    chunk_verdict,
    fingerprint_directory,
    quarantine_chunk,
    quarantine_unsealed,
    sealed_chunks,
    text_key,
    write_sealed_chunk,
)

CHUNK = ".jsonl"


def piece_key(source_code: str, piece: str) -> bytes:
    """Cache key of one source piece in one source language."""
    return text_key(f"{source_code}\n{piece}")


class TranslationCache:
    """Translations of one fingerprint, stored under ``root``."""

    def __init__(self, root: str | os.PathLike[str], fingerprint: dict[str, Any]):
        self.directory = fingerprint_directory(root, fingerprint)
        self._translations: dict[bytes, tuple[tuple[int, str], str]] = {}  # key -> ((commit number, chunk), translation)
        self._loaded_chunks: set[str] = set()
        self._rejected: set[str] = set()  # failed verification but could not be moved aside
        self._added = False  # added since the last refresh: another job may have committed one of those keys first

    def _refresh(self) -> None:
        """Read every sealed chunk not yet read in this process, verifying it first; quarantine what fails."""
        self._added = False
        for chunk in sealed_chunks(self.directory):
            if chunk in self._loaded_chunks or chunk in self._rejected:
                continue
            entries, commit = self._verified_entries(chunk)
            if entries is not None:
                self._register(chunk, entries, commit)
        quarantine_unsealed(self.directory, (CHUNK,))

    def _problem(self, chunk: str) -> tuple[list[tuple[bytes, str]], int, str | None]:
        """A chunk's ``(key, translation)`` pairs and commit number, and what is wrong with it (None: nothing)."""
        problem, commit = chunk_verdict(self.directory, chunk, (CHUNK,))
        if problem is not None:
            return [], commit, problem
        entries, problem = _parse_chunk(self.directory / f"{chunk}{CHUNK}")
        return entries, commit, problem

    def _verified_entries(self, chunk: str) -> tuple[list[tuple[bytes, str]] | None, int]:
        """A chunk's pairs and commit number if its file matches its seal and every line is one; else (None, 0), once it is moved aside.

        A damaged chunk is re-checked under the directory's lock before it is moved: if another
        job moved it aside or committed it afresh meanwhile, nothing is moved and the next
        refresh reads it again.
        """
        entries, commit, problem = self._problem(chunk)
        if problem is None:
            return entries, commit
        if quarantine_chunk(self.directory, chunk, (CHUNK,), problem, lambda: self._problem(chunk)[2]) is Quarantined.STUCK:
            self._rejected.add(chunk)
        return None, 0

    def _register(self, chunk: str, entries: Sequence[tuple[bytes, str]], commit: int) -> None:
        order = (commit, chunk)
        for key, translation in entries:
            # Two jobs that translated the same piece store it twice (their batches, and so
            # their padding, may differ): always read the chunk committed first (then the
            # smallest name), so every process returns the same text whatever order it loaded
            # them in, and a chunk committed later never changes a text already read.
            found = self._translations.get(key)
            if found is None or order < found[0]:
                self._translations[key] = (order, translation)
        self._loaded_chunks.add(chunk)

    def missing(self, keys: Sequence[bytes]) -> list[bytes]:
        """Keys without a stored translation (first occurrence order, no repeats)."""
        self._refresh()
        return [key for key in dict.fromkeys(keys) if key not in self._translations]

    def add(self, keys: Sequence[bytes], translations: Sequence[str]) -> bool:
        """Store one chunk of translations atomically, sealed; it is readable at once (this job wrote and hashed it).

        Returns False when another job had committed a chunk of the same keys first: then its
        translations (maybe different, from another batch) are the ones read.
        """
        if len(keys) != len(translations):
            raise ValueError(f"{len(keys)} keys but {len(translations)} translations")
        pairs = list(zip(keys, translations, strict=True))
        lines = "".join(json.dumps([key.decode("ascii"), text], ensure_ascii=False) + "\n" for key, text in pairs)
        chunk = chunk_name(keys)
        commit = write_sealed_chunk(self.directory, chunk, {CHUNK: lambda tmp: tmp.write_text(lines, encoding="utf-8")})
        self._added = True
        if commit is None:
            return False
        self._rejected.discard(chunk)
        self._register(chunk, pairs, commit)
        return True

    def get(self, key: bytes) -> str:
        """The stored translation of ``key`` (KeyError if none).

        The first read after an :meth:`add` refreshes once: a chunk another job committed
        earlier holding one of the same keys is then the one read, as in every other process.
        """
        if self._added or key not in self._translations:
            self._refresh()
        return self._translations[key][1]


def _parse_chunk(path: Path) -> tuple[list[tuple[bytes, str]], str | None]:
    """The ``(key, translation)`` pairs of a chunk file, or the first problem found in it (line number included)."""
    entries: list[tuple[bytes, str]] = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                value = json.loads(line)
                if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value) and len(value[0]) == 64):
                    return [], f"line {number} is not a [key, translation] pair"
                entries.append((value[0].encode("ascii"), value[1]))
    except (OSError, UnicodeError, ValueError) as error:
        return [], f"unreadable after line {len(entries)} ({type(error).__name__}: {error})"
    return entries, None
