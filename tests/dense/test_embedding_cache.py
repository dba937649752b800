from __future__ import annotations

import numpy as np
import pytest

from crossrank.dense.embedding_cache import EmbeddingCache, embed_with_cache, text_key


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
