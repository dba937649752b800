"""The layout shared by the content-addressed caches (embeddings, translations, re-ranking scores).

A cache lives in one directory per fingerprint: the settings that determine its values (model
identity, revision, generation or pooling settings), hashed into the directory name and kept
readable in ``fingerprint.json``. Inside, values are stored in immutable chunks named after the
hash of their keys. Each of a chunk's data files is written to a temporary file and renamed,
then its *seal* ``{chunk}.sha256`` (JSON: the size and SHA-256 of every data file) is written
the same way, last. The seal is the commit: readers list chunks by their seals, so a chunk is
visible only once complete, and two jobs writing the same values never collide.

Every chunk is verified against its seal on its first read in a process (one sequential read
of its files). A chunk that fails (flipped bytes, a truncated or missing file, an unreadable
seal) is never read: :func:`quarantine` moves its files into ``damaged/`` beside it (never
deleting them, for a post-mortem), logs one warning, and the cache recomputes its values.

Data files without a seal are either being written right now or were left by a job killed
before sealing, by a code version that wrote no seals, or lost their seal. None is ever read:
nothing can vouch for its bytes, and a cache is recomputable by definition. Once older than
:data:`UNSEALED_GRACE_SECONDS` (far longer than any write takes, so a chunk still being
written is left alone) they are quarantined like damaged chunks. A cache written before seals
existed is therefore recomputed once, and its files kept under ``damaged/``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crossrank.core.io import atomic_path, file_sha256, write_json

log = logging.getLogger("crossrank")

SEAL_SUFFIX = ".sha256"
DAMAGED_DIRECTORY = "damaged"
# Unsealed data files younger than this may belong to a chunk being written: leave them alone.
UNSEALED_GRACE_SECONDS = 3600.0


def text_key(text: str) -> bytes:
    """Cache key of one exact model input, as 64 hex bytes (SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest().encode("ascii")


def fingerprint_directory(root: str | os.PathLike[str], fingerprint: dict[str, Any]) -> Path:
    """The directory of one fingerprint under ``root``, created with its ``fingerprint.json``."""
    key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:20]
    directory = Path(root) / key
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "fingerprint.json"
    if not spec.exists():
        write_json(spec, fingerprint)
    return directory


def chunk_name(keys: Sequence[bytes]) -> str:
    """The file stem of a chunk holding ``keys``: equal keys, equal name."""
    return hashlib.sha256(b"".join(keys)).hexdigest()[:24]


def key_shard(key: bytes, shards: int) -> int:
    """The shard that computes a value: by its key, so each distinct input is computed by one job only."""
    return int(key[:12], 16) % shards


def write_sealed_chunk(directory: Path, chunk: str, writers: Mapping[str, Callable[[Path], None]]) -> None:
    """Write one chunk: each ``{chunk}{suffix}`` by its writer (given a temporary path), then the seal, last.

    Each file is hashed as written, before it is renamed into place, so the seal records exactly
    the bytes this job wrote.
    """
    files: dict[str, dict[str, Any]] = {}
    for suffix, write in writers.items():
        with atomic_path(directory / f"{chunk}{suffix}") as tmp:
            write(tmp)
            files[suffix] = {"bytes": tmp.stat().st_size, "sha256": file_sha256(tmp)}
    write_json(directory / f"{chunk}{SEAL_SUFFIX}", {"files": files})


def sealed_chunks(directory: Path) -> list[str]:
    """The names of the chunks in ``directory`` that carry a seal, sorted (temporary files excluded)."""
    return sorted(p.name[: -len(SEAL_SUFFIX)] for p in directory.glob(f"*{SEAL_SUFFIX}") if not p.name.startswith("."))


def chunk_problem(directory: Path, chunk: str, suffixes: Sequence[str]) -> str | None:
    """What is wrong with a chunk's files compared with its seal, or None when every file matches.

    Sizes are compared first (a truncated file is named as such without hashing it), then digests.
    """
    seal = directory / f"{chunk}{SEAL_SUFFIX}"
    try:
        files = json.loads(seal.read_text(encoding="utf-8"))["files"]
        expected = {suffix: (int(files[suffix]["bytes"]), str(files[suffix]["sha256"])) for suffix in suffixes}
    except FileNotFoundError:
        return f"its seal {seal.name} is missing"
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        return f"its seal {seal.name} is unreadable ({type(error).__name__}: {error})"
    for suffix, (size, sha256) in expected.items():
        path = directory / f"{chunk}{suffix}"
        try:
            found = path.stat().st_size
        except FileNotFoundError:
            return f"{path.name} is missing"
        if found != size:
            return f"{path.name} has {found} bytes, its seal says {size} (truncated or overwritten)"
        if file_sha256(path) != sha256:
            return f"{path.name} does not match the SHA-256 in its seal (its bytes changed after it was written)"
    return None


def chunk_files(directory: Path, chunk: str, suffixes: Sequence[str]) -> list[Path]:
    """Every file of one chunk: its data files and its seal (whether or not they exist)."""
    return [directory / f"{chunk}{suffix}" for suffix in (*suffixes, SEAL_SUFFIX)]


def quarantine(entry: Path, paths: Sequence[Path], problem: str) -> Path | None:
    """Move a damaged cache entry's ``paths`` into ``damaged/`` beside them and log one warning.

    ``entry`` names the entry in the warning (a chunk's stem, an index directory). Each call gets
    a folder of its own (``damaged/<entry>.<time>.<unique>``), so nothing is ever overwritten or
    deleted; a file another job has already moved aside is skipped. Returns the folder, or None
    when the entry could not be moved (a read-only cache): the caller must then skip it itself.
    """
    moved: list[str] = []
    try:
        damaged = entry.parent / DAMAGED_DIRECTORY
        damaged.mkdir(exist_ok=True)
        target = Path(tempfile.mkdtemp(dir=damaged, prefix=f"{entry.name}.{time.strftime('%Y%m%dT%H%M%S')}."))
        for path in paths:
            try:
                os.replace(path, target / path.name)
                moved.append(path.name)
            except FileNotFoundError:
                continue
    except OSError as error:
        log.warning(
            "%s: damaged cache entry (%s); it could not be moved aside (%s: %s), so this job ignores it and recomputes it. "
            "Fix: delete it by hand.",
            entry,
            problem,
            type(error).__name__,
            error,
        )
        return None
    log.warning(
        "%s: damaged cache entry (%s); moved %s to %s. It will be recomputed; nothing to do unless this recurs (then check the disk).",
        entry,
        problem,
        ", ".join(moved) or "nothing (another job already did)",
        target,
    )
    return target


def quarantine_unsealed(directory: Path, suffixes: Sequence[str], grace: float = UNSEALED_GRACE_SECONDS) -> None:
    """Quarantine the data files of ``directory`` that no seal vouches for and that are older than ``grace`` seconds."""
    sealed = set(sealed_chunks(directory))
    now = time.time()
    stems: set[str] = set()
    for suffix in suffixes:
        for path in directory.glob(f"*{suffix}"):
            stem = path.name[: -len(suffix)]
            if not path.name.startswith(".") and stem not in sealed:
                stems.add(stem)
    for stem in sorted(stems):
        present = [path for path in chunk_files(directory, stem, suffixes) if path.exists()]
        try:
            newest = max(path.stat().st_mtime for path in present)
        except (ValueError, FileNotFoundError):
            continue  # moved or sealed meanwhile
        if now - newest >= grace:
            quarantine(directory / stem, present, "no seal: written by an older version, or its job was killed before sealing it")
