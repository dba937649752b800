"""Approximate nearest-neighbour search with HNSW (hnswlib), as the paper's appendix E.

The index is built over the L2-normalised document embeddings in inner-product space (cosine
similarity = 1 - hnswlib's distance), one entry per document, labels aligned with the rows of
the embedding matrix. Defaults are the paper's: M=16, ef_construction=200, and at query time
ef = max(50, 2k). With ``determinism`` the build runs single-threaded with a fixed seed, so the
graph, and therefore every run, is identical between runs; otherwise it uses every thread.

Built indexes are cached by content: the key hashes the vectors, the docids, the HNSW settings
and the hnswlib version, and the index is stored with its metadata (encoder, dimension,
settings, document count, build time, and the size and SHA-256 of ``index.bin``) under
``cache/ann/<key>/``, next to the embedding cache. An index and its metadata are written into a
private staging directory, which is then renamed to ``<key>/`` whole: a rename onto an existing
(non-empty) directory fails, so the index directory is write-once and complete when visible. Two
jobs building the same index at once both build it, the first to rename wins, and the other
discards its own and loads the winner's, so both search the same graph (they differ when the
build is multi-threaded) and a job never sees the files change under it. Before an index is
loaded its file is checked against that digest: hnswlib trusts the file it is given (a truncated
one fails with "Index seems to be corrupted", one with flipped bytes can crash the process), so
a file that does not match is never handed to it; under the root's lock
(:func:`crossrank.core.cache_store.directory_lock`), re-checked first since another job may have
moved it or published a fresh one meanwhile, the directory is moved into ``cache/ann/damaged/``
and the index rebuilt.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from crossrank.core.cache_store import directory_lock, quarantine
from crossrank.core.io import file_sha256, publish, write_json
from crossrank.core.runs import DocidOrder, Ranking, top_k
from crossrank.dense.exact import check_dimensions

log = logging.getLogger("crossrank")

INDEX_FILE = "index.bin"
METADATA_FILE = "metadata.json"
ADD_BATCH = 16384  # rows per add_items call (progress granularity)


@dataclass(frozen=True)
class HnswSettings:
    """HNSW construction and search settings (``ann`` in ``params.yaml``)."""

    m: int = 16
    ef_construction: int = 200
    ef_search: int | None = None  # None: max(50, 2k), the paper's adaptive setting
    determinism: bool = True
    seed: int = 100

    def __post_init__(self) -> None:
        if self.m < 2 or self.ef_construction < 1:
            raise ValueError(f"HNSW needs M >= 2 and ef_construction >= 1, got M={self.m}, ef_construction={self.ef_construction}")
        if self.ef_search is not None and self.ef_search < 1:
            raise ValueError(f"ef_search must be >= 1 or null, got {self.ef_search}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> HnswSettings:
        """Build from the ``ann`` block of ``params.yaml`` (keys it does not own are ignored)."""
        return cls(**{k: params[k] for k in ("m", "ef_construction", "ef_search", "determinism", "seed") if k in params})

    def ef_for(self, k: int) -> int:
        """Search breadth for depth ``k``: the setting, or max(50, 2k); never below k (hnswlib's floor)."""
        return max(self.ef_search or max(50, 2 * k), k)

    def build_threads(self, threads: int) -> int:
        """Threads for the build: one when deterministic, else ``threads`` (at least one)."""
        return 1 if self.determinism else max(1, threads)


def build_index(vectors: np.ndarray, settings: HnswSettings, threads: int = 1, progress: bool = True) -> Any:
    """An ``hnswlib.Index`` over ``vectors`` (row i gets label i), inner-product space."""
    import hnswlib

    count, dim = vectors.shape
    index = hnswlib.Index(space="ip", dim=dim)
    index.init_index(max_elements=max(1, count), M=settings.m, ef_construction=settings.ef_construction, random_seed=settings.seed)
    with tqdm(total=count, desc="hnsw build", unit="doc", disable=not progress) as bar:
        for start in range(0, count, ADD_BATCH):
            rows = np.ascontiguousarray(vectors[start : start + ADD_BATCH], dtype=np.float32)
            index.add_items(rows, np.arange(start, start + len(rows)), num_threads=settings.build_threads(threads))
            bar.update(len(rows))
    return index


def index_memory_bytes(index: Any) -> int:
    """Bytes the index holds in memory, from hnswlib's layout (``hnswalg.h``).

    Level 0 stores per element its vector, 2M links, a link count and a label; an element
    reaches level l with probability M**-l, so upper levels add 1/(M-1) link lists of M links
    per element on average; each element also costs a link-list pointer, its level and a
    label-lookup hash entry (~44 bytes).
    """
    dim, m, count = index.dim, index.M, index.element_count
    level0 = count * (dim * 4 + 2 * m * 4 + 4 + 8)
    upper = count * (m * 4 + 4) / (m - 1)
    return int(level0 + upper + count * 44)


class HnswSearcher:
    """Search a built HNSW index, returning rankings in the project's deterministic order."""

    def __init__(self, index: Any, docids: Sequence[str], settings: HnswSettings, threads: int = 1):
        if index.element_count != len(docids):
            raise ValueError(f"index holds {index.element_count} documents but {len(docids)} docids were given")
        self.index = index
        self.order = DocidOrder(docids)
        self.settings = settings
        self.threads = max(1, threads)

    def search(self, query_vectors: np.ndarray, k: int, ef: int | None = None, progress: bool = True) -> list[Ranking]:
        """Approximate top-``k`` for every query (ties within the found set broken like every run)."""
        if query_vectors.shape[1] != self.index.dim:
            raise ValueError(f"query dimension {query_vectors.shape[1]} != index dimension {self.index.dim}")
        count = self.index.element_count
        depth = min(k, count)
        if depth == 0 or len(query_vectors) == 0:
            return [[] for _ in range(len(query_vectors))]
        self.index.set_ef(max(ef or self.settings.ef_for(k), depth))
        queries = np.ascontiguousarray(query_vectors, dtype=np.float32)
        rankings: list[Ranking] = []
        for start in tqdm(range(0, len(queries), 1024), desc="hnsw search", unit="batch", disable=not progress):
            labels, distances = self.index.knn_query(queries[start : start + 1024], k=depth, num_threads=self.threads)
            for row_labels, row_distances in zip(labels, distances, strict=True):
                rankings.append(top_k(1.0 - row_distances.astype(np.float64), k, self.order, indices=row_labels.astype(np.int64)))
        return rankings


def index_key(vectors: np.ndarray, docids: Sequence[str], settings: HnswSettings) -> str:
    """Content key of an index: vectors (as float32), docids, build settings, hnswlib version."""
    digest = hashlib.sha256()
    build = {k: v for k, v in asdict(settings).items() if k != "ef_search"}  # ef is a query-time setting
    digest.update(json.dumps({"build": build, "hnswlib": importlib.metadata.version("hnswlib"), "shape": vectors.shape}).encode())
    for start in range(0, len(vectors), 65536):
        digest.update(np.ascontiguousarray(vectors[start : start + 65536], dtype=np.float32).tobytes())
    digest.update("\n".join(docids).encode("utf-8"))
    return digest.hexdigest()[:24]


def cached_index(
    root: str | os.PathLike[str],
    vectors: np.ndarray,
    docids: Sequence[str],
    settings: HnswSettings,
    threads: int = 1,
    metadata: Mapping[str, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Load the index of ``vectors`` from ``root`` or build and store it; return it with its metadata.

    ``metadata`` (e.g. the encoder's name and fingerprint) is stored with a new index.
    """
    if vectors.shape[0] != len(docids):
        raise ValueError(f"{vectors.shape[0]} document vectors but {len(docids)} docids")
    directory = Path(root) / index_key(vectors, docids, settings)
    found = _load_stored(directory)
    if found is not None:
        return found
    started = time.perf_counter()
    index = build_index(vectors, settings, threads)
    seconds = time.perf_counter() - started
    stored = {
        **dict(metadata or {}),
        "dimension": int(vectors.shape[1]),
        "documents": len(docids),
        "docids_sha256": hashlib.sha256("\n".join(docids).encode("utf-8")).hexdigest(),
        "space": "ip",
        "settings": asdict(settings),
        "build_threads": settings.build_threads(threads),
        "build_seconds": round(seconds, 3),
        "memory_bytes": index_memory_bytes(index),
        "hnswlib": importlib.metadata.version("hnswlib"),
    }
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    try:
        index.save_index(str(staging / INDEX_FILE))
        stored |= {"index_bytes": (staging / INDEX_FILE).stat().st_size, "index_sha256": file_sha256(staging / INDEX_FILE)}
        write_json(staging / METADATA_FILE, stored)
        if not _publish_once(staging, directory):
            found = _load_stored(directory)
            if found is not None:
                log.info("another job stored HNSW index %s first; using it, not this job's build", directory)
                return found
            with directory_lock(directory.parent):  # an incomplete directory (a killed job of an older version) is in the way
                if _load_stored(directory) is None and directory.exists():
                    quarantine(directory, [directory], f"no {METADATA_FILE}: its job was killed before finishing it")
                if not _publish_once(staging, directory) and (found := _load_stored(directory)) is not None:
                    return found
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log.info("built HNSW index %s: %d documents in %.1f s", directory, len(docids), seconds)
    return index, stored


def _publish_once(staging: Path, directory: Path) -> bool:
    """Rename a complete staging directory to ``directory``; False when one is there already (it is never replaced)."""
    try:
        publish(staging, directory, directory=True)
    except OSError as error:
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        raise
    return True


def _load_stored(directory: Path) -> tuple[Any, dict[str, Any]] | None:
    """The stored index of ``directory`` and its metadata when its file verifies; None when there is none.

    A damaged one is re-checked under the root's lock (another job may have moved it aside, or
    published a fresh one, meanwhile) and only then moved into ``damaged/``.
    """
    import hnswlib

    if not (directory / METADATA_FILE).exists():
        return None
    stored, problem = _verified_metadata(directory)
    if stored is None:
        try:
            with directory_lock(directory.parent):
                if (directory / METADATA_FILE).exists():
                    stored, problem = _verified_metadata(directory)
                    if stored is None:
                        quarantine(directory, [directory], str(problem))
        except OSError as error:  # no lock on a read-only cache: the index is not loaded, only rebuilt
            log.warning(
                "%s: damaged cache entry (%s); it could not be locked (%s: %s), so this job ignores it.",
                directory,
                problem,
                type(error).__name__,
                error,
            )
        if stored is None:
            return None
    index = hnswlib.Index(space="ip", dim=stored["dimension"])
    index.load_index(str(directory / INDEX_FILE), max_elements=max(1, stored["documents"]))
    log.info("loaded HNSW index %s (%d documents)", directory, stored["documents"])
    return index, stored


def _verified_metadata(directory: Path) -> tuple[dict[str, Any] | None, str | None]:
    """An index directory's metadata if its index file matches the size and SHA-256 it records; else (None, the problem)."""
    try:
        stored = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
        size, sha256 = int(stored["index_bytes"]), str(stored["index_sha256"])
    except KeyError:
        return None, f"{METADATA_FILE} records no checksum of {INDEX_FILE} (written by an older version)"
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as error:
        return None, f"{METADATA_FILE} is unreadable ({type(error).__name__}: {error})"
    index_path = directory / INDEX_FILE
    if not index_path.is_file():
        return None, f"{INDEX_FILE} is missing"
    if (found := index_path.stat().st_size) != size:
        return None, f"{INDEX_FILE} has {found} bytes, {METADATA_FILE} says {size} (truncated or overwritten)"
    if file_sha256(index_path) != sha256:
        return None, f"{INDEX_FILE} does not match the SHA-256 in {METADATA_FILE} (its bytes changed after it was written)"
    return stored, None


def ann_search(
    cache_root: str | os.PathLike[str],
    query_vectors: np.ndarray,
    doc_vectors: np.ndarray,
    docids: Sequence[str],
    k: int,
    settings: HnswSettings,
    threads: int = 1,
    metadata: Mapping[str, Any] | None = None,
) -> list[Ranking]:
    """Top-``k`` by HNSW for every query, building (or loading) the pool's cached index."""
    check_dimensions(query_vectors, doc_vectors, docids)
    index, _ = cached_index(cache_root, doc_vectors, docids, settings, threads, metadata)
    return HnswSearcher(index, docids, settings, threads).search(query_vectors, k)
