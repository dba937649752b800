"""Tests of crossrank.dense.embedding_cache: reuse, resumption, chunk layout and verification of damaged chunks."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import numpy as np
import pytest

from crossrank.core import cache_store
from crossrank.core.cache_store import DAMAGED_DIRECTORY, SEAL_SUFFIX, UNSEALED_GRACE_SECONDS
from crossrank.dense.embedding_cache import EmbeddingCache, embed_with_cache, encode_missing, text_key


class CountingEncoder:
    """Deterministic fake model: records every text it is asked to encode."""

    def __init__(self):
        self.seen: list[str] = []
        self.loads = 0

    def factory(self):
        self.loads += 1

        def encode(texts):
            self.seen.extend(texts)
            return np.array([[len(t), sum(map(ord, t)) % 97, 1.0] for t in texts], dtype=np.float32)

        return encode


def test_second_run_is_served_from_cache_without_loading_the_model(tmp_path):
    cache = EmbeddingCache(tmp_path, {"model": "fake"})
    first = CountingEncoder()
    vectors = embed_with_cache(["a", "bb", "a", "ccc"], cache, first.factory, chunk_size=2)
    assert vectors.shape == (4, 3)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert sorted(first.seen) == ["a", "bb", "ccc"]  # duplicates encoded once

    second = CountingEncoder()
    again = embed_with_cache(["ccc", "a"], EmbeddingCache(tmp_path, {"model": "fake"}), second.factory)
    assert second.loads == 0 and second.seen == []
    np.testing.assert_array_equal(again, vectors[[3, 0]])


def test_only_missing_texts_are_encoded(tmp_path):
    cache = EmbeddingCache(tmp_path, {"model": "fake"})
    embed_with_cache(["a", "bb"], cache, CountingEncoder().factory)
    partial = CountingEncoder()
    embed_with_cache(["a", "bb", "dddd"], cache, partial.factory)
    assert partial.seen == ["dddd"]


def test_a_different_fingerprint_is_a_different_cache(tmp_path):
    embed_with_cache(["a"], EmbeddingCache(tmp_path, {"model": "fake", "pooling": "mean"}), CountingEncoder().factory)
    other = CountingEncoder()
    embed_with_cache(["a"], EmbeddingCache(tmp_path, {"model": "fake", "pooling": "cls"}), other.factory)
    assert other.seen == ["a"]


def test_interrupted_encoding_keeps_finished_chunks(tmp_path):
    cache = EmbeddingCache(tmp_path, {"model": "fake"})
    texts = [f"text {i:03d}" for i in range(10)]
    calls = {"n": 0}

    def failing_factory():
        encode = CountingEncoder().factory()

        def wrapped(batch):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt  # the job is killed while encoding the third chunk
            return encode(batch)

        return wrapped

    with pytest.raises(KeyboardInterrupt):
        embed_with_cache(texts, cache, failing_factory, chunk_size=3)
    assert not list(tmp_path.rglob("*.tmp*")), "no temporary file may survive"
    resumed = CountingEncoder()
    embed_with_cache(texts, EmbeddingCache(tmp_path, {"model": "fake"}), resumed.factory, chunk_size=3)
    assert len(resumed.seen) == 4  # 10 texts - 2 finished chunks of 3


def test_chunks_are_plain_memory_mappable_npy(tmp_path):
    cache = EmbeddingCache(tmp_path, {"model": "fake"})
    embed_with_cache(["x", "yy"], cache, CountingEncoder().factory)
    vectors = list(cache.directory.glob("*.vectors.npy"))
    keys = list(cache.directory.glob("*.keys.npy"))
    assert len(vectors) == len(keys) == 1
    mapped = np.load(vectors[0], mmap_mode="r", allow_pickle=False)
    assert mapped.dtype == np.float32 and mapped.shape == (2, 3)
    assert set(np.load(keys[0], allow_pickle=False).tolist()) == {text_key("x"), text_key("yy")}


def test_a_text_stored_twice_always_reads_the_same_chunk(tmp_path):
    first = EmbeddingCache(tmp_path, {"model": "fake"})
    key = text_key("shared")
    first.add([key], np.array([[1.0, 0.0]], dtype=np.float32))
    before = first.gather([key])
    first.add([key, text_key("other")], np.array([[0.9, 0.1], [0.0, 1.0]], dtype=np.float32))
    after = first.gather([key])
    fresh = EmbeddingCache(tmp_path, {"model": "fake"}).gather([key])
    np.testing.assert_array_equal(after, fresh)
    assert before.shape == after.shape


TEXTS = [f"text number {i:02d}" + "!" * (i % 4) for i in range(10)]


def _flip_tail(path: Path) -> None:
    """Flip the bytes of the last float32 of a file (the .npy header stays valid: the damage is silent)."""
    data = bytearray(path.read_bytes())
    data[-4:] = bytes(b ^ 0xFF for b in data[-4:])
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 7])


def _reseal_with_a_wrong_digest(path: Path) -> None:
    seal = path.with_name(path.name.split(".")[0] + SEAL_SUFFIX)
    record = json.loads(seal.read_text(encoding="utf-8"))
    record["files"][".vectors.npy"]["sha256"] = "0" * 64
    seal.write_text(json.dumps(record), encoding="utf-8")


DAMAGES = {
    "flipped-vectors": (".vectors.npy", _flip_tail),
    "truncated-vectors": (".vectors.npy", _truncate),
    "flipped-keys": (".keys.npy", _flip_tail),
    "truncated-keys": (".keys.npy", _truncate),
    "wrong-digest": (".vectors.npy", _reseal_with_a_wrong_digest),
}


@pytest.fixture
def filled(tmp_path):
    """A cache of TEXTS in chunks of 4, 4 and 2, the undamaged embeddings, and the first chunk's name and texts."""
    cache = EmbeddingCache(tmp_path, {"model": "fake"})
    expected = embed_with_cache(TEXTS, cache, CountingEncoder().factory, chunk_size=4)
    chunk = sorted(p.name[: -len(".keys.npy")] for p in cache.directory.glob("*.keys.npy"))[0]
    keys = set(np.load(cache.directory / f"{chunk}.keys.npy").tolist())
    return tmp_path, expected, chunk, sorted(t for t in TEXTS if text_key(t) in keys)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_chunk_is_moved_aside_and_exactly_its_texts_are_re_encoded(filled, damage, caplog):
    root, expected, chunk, chunk_texts = filled
    suffix, spoil = DAMAGES[damage]
    directory = next(root.iterdir())
    spoil(directory / f"{chunk}{suffix}")

    cache = EmbeddingCache(root, {"model": "fake"})  # a new process: nothing verified yet
    again = CountingEncoder()
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        encoded = encode_missing(TEXTS, cache, again.factory, chunk_size=4)
        np.testing.assert_array_equal(cache.gather([text_key(t) for t in TEXTS]), expected)
    assert encoded == len(chunk_texts) == len(again.seen) and sorted(again.seen) == chunk_texts
    (moved,) = (directory / DAMAGED_DIRECTORY).iterdir()
    assert (moved / f"{chunk}{suffix}").is_file() and moved.name.startswith(chunk)
    (message,) = _warnings(caplog)
    assert str(directory / chunk) in message and "recomputed" in message


def test_a_chunk_without_its_seal_is_never_read_and_moved_aside_once_old(filled, caplog):
    root, expected, chunk, chunk_texts = filled
    directory = next(root.iterdir())
    (directory / f"{chunk}{SEAL_SUFFIX}").unlink()
    _flip_tail(directory / f"{chunk}.vectors.npy")  # nothing vouches for these bytes any more
    past = time.time() - UNSEALED_GRACE_SECONDS - 60
    for suffix in (".vectors.npy", ".keys.npy"):
        os.utime(directory / f"{chunk}{suffix}", (past, past))

    again = CountingEncoder()
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        vectors = embed_with_cache(TEXTS, EmbeddingCache(root, {"model": "fake"}), again.factory, chunk_size=4)
    np.testing.assert_array_equal(vectors, expected)
    assert sorted(again.seen) == chunk_texts
    (moved,) = (directory / DAMAGED_DIRECTORY).iterdir()
    assert sorted(p.name for p in moved.iterdir()) == [f"{chunk}.keys.npy", f"{chunk}.vectors.npy"]
    (message,) = _warnings(caplog)
    assert str(directory / chunk) in message and "no seal" in message


def test_gather_never_reads_a_chunk_that_failed_verification(filled):
    root, _expected, chunk, chunk_texts = filled
    directory = next(root.iterdir())
    _flip_tail(directory / f"{chunk}.vectors.npy")
    with pytest.raises(KeyError):
        EmbeddingCache(root, {"model": "fake"}).gather([text_key(chunk_texts[0])])


def test_a_chunk_is_verified_once_per_process(filled, monkeypatch):
    root, expected, _chunk, _texts = filled
    cache = EmbeddingCache(root, {"model": "fake"})
    hashed: list[str] = []
    real = cache_store.file_sha256
    monkeypatch.setattr(cache_store, "file_sha256", lambda path: hashed.append(str(path)) or real(path))
    for _ in range(3):
        np.testing.assert_array_equal(cache.gather([text_key(t) for t in TEXTS]), expected)
    assert len(hashed) == 6  # three chunks, two files each, hashed on the first read only


def test_only_the_chunks_holding_wanted_keys_have_their_vectors_hashed(filled, monkeypatch):
    root, _expected, chunk, chunk_texts = filled
    hashed: list[str] = []
    real = cache_store.file_sha256
    monkeypatch.setattr(cache_store, "file_sha256", lambda path: hashed.append(Path(path).name) or real(path))
    assert EmbeddingCache(root, {"model": "fake"}).missing([text_key(chunk_texts[0])]) == []
    assert sorted(name for name in hashed if name.endswith(".vectors.npy")) == [f"{chunk}.vectors.npy"]
    assert len([name for name in hashed if name.endswith(".keys.npy")]) == 3  # every chunk's (small) keys file
