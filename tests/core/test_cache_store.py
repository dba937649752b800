"""Tests of crossrank.core.cache_store: cache keys, fingerprint directories, chunk names and shards."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from crossrank.core.cache_store import chunk_name, fingerprint_directory, key_shard, text_key

FINGERPRINT = {"model": "m", "revision": None, "pooling": "mean", "max_length": 32}


def test_text_key_is_the_sha256_hex_of_the_utf8_text():
    assert text_key("") == b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert text_key("ドイツ") == hashlib.sha256("ドイツ".encode()).hexdigest().encode("ascii")
    assert len(text_key("any text")) == 64


def test_text_key_tells_apart_texts_that_differ_only_in_spacing_or_case():
    keys = {text_key(text) for text in ("Euro", "euro", "Euro ", " Euro")}
    assert len(keys) == 4


def test_fingerprint_directory_is_created_with_its_fingerprint_json(tmp_path):
    directory = fingerprint_directory(tmp_path / "cache", FINGERPRINT)
    assert directory.parent == tmp_path / "cache" and directory.is_dir()
    assert len(directory.name) == 20 and set(directory.name) <= set("0123456789abcdef")
    text = (directory / "fingerprint.json").read_text(encoding="utf-8")
    assert text == json.dumps(FINGERPRINT, indent=2, sort_keys=True) + "\n"


def test_fingerprint_directory_name_is_pinned(tmp_path):
    """Caches outlive code versions: a change to how the name is derived would orphan every existing cache."""
    assert fingerprint_directory(tmp_path, FINGERPRINT).name == "a8a2923d300eeb7d1e4b"


def test_equal_fingerprints_share_a_directory_whatever_their_key_order(tmp_path):
    first = fingerprint_directory(tmp_path, FINGERPRINT)
    again = fingerprint_directory(tmp_path, dict(reversed(FINGERPRINT.items())))
    assert again == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_fingerprint_json_is_written_once(tmp_path):
    directory = fingerprint_directory(tmp_path, FINGERPRINT)
    spec = directory / "fingerprint.json"
    spec.write_text("kept\n", encoding="utf-8")  # a later call must not rewrite it
    fingerprint_directory(tmp_path, FINGERPRINT)
    assert spec.read_text(encoding="utf-8") == "kept\n"


@pytest.mark.parametrize("change", [{"revision": "abc123"}, {"max_length": 64}, {"prefix": "query: "}])
def test_a_different_fingerprint_gets_a_different_directory(tmp_path, change):
    assert fingerprint_directory(tmp_path, {**FINGERPRINT, **change}) != fingerprint_directory(tmp_path, FINGERPRINT)


def test_chunk_name_depends_on_the_keys_only():
    keys = [text_key("a"), text_key("b")]
    name = chunk_name(keys)
    assert len(name) == 24 and set(name) <= set("0123456789abcdef")
    assert chunk_name(list(keys)) == name
    assert chunk_name([text_key("a"), text_key("c")]) != name
    assert chunk_name(keys[:1]) != name


def test_key_shard_reads_the_first_twelve_hex_digits():
    key = b"00000000000a" + b"f" * 52
    assert [key_shard(key, shards) for shards in (1, 3, 4, 11)] == [0, 1, 2, 10]


def test_key_shard_is_in_range_and_spreads_keys_evenly():
    keys = [text_key(f"text {i}") for i in range(2000)]
    for shards in (1, 2, 5):
        counts = Counter(key_shard(key, shards) for key in keys)
        assert set(counts) == set(range(shards))
        assert all(abs(n - 2000 / shards) < 0.1 * 2000 / shards for n in counts.values())
