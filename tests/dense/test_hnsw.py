"""HNSW search: the paper's settings, recall against exact search, determinism and the index cache."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import hnswlib
import numpy as np
import pytest

from crossrank.core.cache_store import DAMAGED_DIRECTORY
from crossrank.dense import hnsw as ann
from crossrank.dense.exact import exact_search
from crossrank.dense.hnsw import HnswSearcher, HnswSettings, ann_search, build_index, cached_index


def _clustered(rng: np.random.Generator, n: int, dim: int = 24, clusters: int = 40) -> np.ndarray:
    centres = rng.standard_normal((clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.4 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def pool():
    rng = np.random.default_rng(7)
    docs = _clustered(rng, 3000)
    queries = docs[rng.integers(0, 3000, 60)] + 0.1 * rng.standard_normal((60, 24)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return docs, queries.astype(np.float32), [f"d{i:05d}" for i in range(3000)]


def test_paper_defaults_and_adaptive_ef():
    settings = HnswSettings()
    assert (settings.m, settings.ef_construction, settings.ef_search) == (16, 200, None)
    assert settings.ef_for(10) == 50 and settings.ef_for(100) == 200
    assert HnswSettings(ef_search=20).ef_for(100) == 100  # hnswlib never searches narrower than k
    assert settings.build_threads(8) == 1 and HnswSettings(determinism=False).build_threads(8) == 8
    with pytest.raises(ValueError, match="M >= 2"):
        HnswSettings(m=1)


def test_recall_against_exact_search_is_high_on_clustered_vectors(pool):
    docs, queries, docids = pool
    index = build_index(docs, HnswSettings(), progress=False)
    approximate = HnswSearcher(index, docids, HnswSettings()).search(queries, 100, progress=False)
    exact = exact_search(queries, docs, docids, 100)
    recall = np.mean([len({d for d, _ in a} & {d for d, _ in e}) / 100 for a, e in zip(approximate, exact, strict=True)])
    assert recall > 0.95
    for a, e in zip(approximate, exact, strict=True):
        assert a[0][0] == e[0][0] and a[0][1] == pytest.approx(e[0][1], abs=1e-5)  # the nearest document, its cosine
        assert [s for _, s in a] == sorted((s for _, s in a), reverse=True)


def test_ties_are_broken_by_docid_like_every_run():
    docs = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    index = build_index(docs, HnswSettings(), progress=False)
    ranking = HnswSearcher(index, ["a", "z", "m", "b"], HnswSettings()).search(np.array([[1.0, 0.0]], dtype=np.float32), 2)[0]
    assert [d for d, _ in ranking] == ["z", "a"]


def test_k_beyond_the_pool_returns_every_document(pool):
    docs, queries, docids = pool
    index = build_index(docs[:5], HnswSettings(), progress=False)
    rankings = HnswSearcher(index, docids[:5], HnswSettings()).search(queries[:3], 100, progress=False)
    assert [len(r) for r in rankings] == [5, 5, 5]


def test_deterministic_builds_are_identical(pool, tmp_path):
    docs, _, _ = pool
    for name in ("a", "b"):
        build_index(docs, HnswSettings(), threads=2, progress=False).save_index(str(tmp_path / name))
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_the_index_is_cached_with_its_metadata_and_reused(pool, tmp_path, monkeypatch):
    docs, queries, docids = pool
    first = ann_search(tmp_path, queries, docs, docids, 10, HnswSettings(), metadata={"encoder": "tiny"})
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    meta = json.loads((directory / ann.METADATA_FILE).read_text())
    assert meta["encoder"] == "tiny" and meta["documents"] == 3000 and meta["dimension"] == 24
    assert meta["settings"]["m"] == 16 and meta["settings"]["ef_construction"] == 200 and meta["build_threads"] == 1
    assert (directory / ann.INDEX_FILE).stat().st_size > 3000 * 24 * 4

    monkeypatch.setattr(ann, "build_index", lambda *a, **k: pytest.fail("rebuilt a cached index"))
    assert ann_search(tmp_path, queries, docs, docids, 10, HnswSettings()) == first


def test_other_vectors_or_settings_build_another_index(pool, tmp_path):
    docs, _, docids = pool
    cached_index(tmp_path, docs[:500], docids[:500], HnswSettings())
    cached_index(tmp_path, docs[:500], docids[:500], HnswSettings(ef_search=300))  # query-time only: same index
    assert len(list(tmp_path.iterdir())) == 1
    cached_index(tmp_path, docs[:500], docids[:500], HnswSettings(m=8))
    moved = docs[:500].copy()
    moved[0] = moved[1]
    cached_index(tmp_path, moved, docids[:500], HnswSettings())
    assert len(list(tmp_path.iterdir())) == 3


def test_an_interrupted_build_leaves_no_visible_index(pool, tmp_path, monkeypatch):
    docs, _, docids = pool

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(ann, "write_json", crash)  # killed after the index file, before its metadata
        with pytest.raises(KeyboardInterrupt):
            cached_index(tmp_path, docs[:200], docids[:200], HnswSettings())
    assert not list(tmp_path.rglob(ann.METADATA_FILE))
    builds = []
    real_build = ann.build_index
    monkeypatch.setattr(ann, "build_index", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    cached_index(tmp_path, docs[:200], docids[:200], HnswSettings())
    assert builds == [1] and len(list(tmp_path.rglob(ann.METADATA_FILE))) == 1


def test_float16_document_matrices_are_searched(pool, tmp_path):
    docs, queries, docids = pool
    full = ann_search(tmp_path / "a", queries, docs, docids, 10, HnswSettings())
    half = ann_search(tmp_path / "b", queries, docs.astype(np.float16), docids, 10, HnswSettings())
    overlap = np.mean([len({d for d, _ in f} & {d for d, _ in h}) / 10 for f, h in zip(full, half, strict=True)])
    assert overlap > 0.9


def test_mismatched_inputs_are_refused(pool, tmp_path):
    docs, queries, docids = pool
    with pytest.raises(ValueError, match="docids"):
        ann_search(tmp_path, queries, docs, docids[:-1], 10, HnswSettings())
    with pytest.raises(ValueError, match="dimension"):
        ann_search(tmp_path, queries[:, :8], docs, docids, 10, HnswSettings())


def _flip_middle(directory: Path) -> None:
    path = directory / ann.INDEX_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 64] = bytes(b ^ 0xFF for b in data[len(data) // 3 : len(data) // 3 + 64])
    path.write_bytes(bytes(data))


def _truncate(directory: Path) -> None:
    path = directory / ann.INDEX_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _forget_checksum(directory: Path) -> None:
    """Metadata as the previous version wrote it: no checksum of the index file."""
    meta = json.loads((directory / ann.METADATA_FILE).read_text())
    del meta["index_sha256"], meta["index_bytes"]
    (directory / ann.METADATA_FILE).write_text(json.dumps(meta))


def _wrong_checksum(directory: Path) -> None:
    meta = json.loads((directory / ann.METADATA_FILE).read_text())
    meta["index_sha256"] = "0" * 64
    (directory / ann.METADATA_FILE).write_text(json.dumps(meta))


class NeverLoads(hnswlib.Index):
    """An hnswlib index that fails the test if it is asked to load a file (a damaged one can crash the process)."""

    def load_index(self, *args, **kwargs):
        pytest.fail("hnswlib was handed an index file whose checksum does not match")


@pytest.mark.parametrize("spoil", [_flip_middle, _truncate, _forget_checksum, _wrong_checksum], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_index_is_never_loaded_but_moved_aside_and_rebuilt(pool, tmp_path, spoil, caplog, monkeypatch):
    docs, queries, docids = pool
    docs, docids = docs[:400], docids[:400]
    first = ann_search(tmp_path, queries, docs, docids, 10, HnswSettings())
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    meta = json.loads((directory / ann.METADATA_FILE).read_text())
    assert meta["index_bytes"] == (directory / ann.INDEX_FILE).stat().st_size and len(meta["index_sha256"]) == 64
    spoil(directory)

    monkeypatch.setattr(hnswlib, "Index", NeverLoads)
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        assert ann_search(tmp_path, queries, docs, docids, 10, HnswSettings()) == first
    (moved,) = (tmp_path / DAMAGED_DIRECTORY).iterdir()
    assert (moved / directory.name / ann.INDEX_FILE).is_file()
    assert json.loads((directory / ann.METADATA_FILE).read_text())["index_sha256"] == meta["index_sha256"]  # rebuilt, identical
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(directory) in message and "recomputed" in message


def test_an_intact_index_is_verified_and_loaded(pool, tmp_path, monkeypatch):
    docs, queries, docids = pool
    first = ann_search(tmp_path, queries, docs[:400], docids[:400], 10, HnswSettings())
    monkeypatch.setattr(ann, "build_index", lambda *a, **k: pytest.fail("rebuilt an intact index"))
    assert ann_search(tmp_path, queries, docs[:400], docids[:400], 10, HnswSettings()) == first
    assert not (tmp_path / DAMAGED_DIRECTORY).exists()
