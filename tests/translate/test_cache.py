"""Tests of crossrank.translate.cache: the translation cache's chunks as concurrent jobs leave them."""

from __future__ import annotations

from pathlib import Path

from crossrank.core.cache_store import chunk_name
from crossrank.translate.cache import TranslationCache


def test_a_stray_temporary_file_is_not_read_as_a_chunk(tmp_path: Path):
    cache = TranslationCache(tmp_path, {"model": "m"})
    cache.add([b"a" * 64], ["first"])
    (cache.directory / ".half.jsonl.x.tmp").write_text('["' + "b" * 64 + '", "half')
    assert cache.missing([b"a" * 64, b"b" * 64]) == [b"b" * 64]
    assert cache.get(b"a" * 64) == "first"


def test_a_piece_stored_twice_reads_the_same_text_in_every_process(tmp_path: Path):
    key = b"k" * 64
    writer = TranslationCache(tmp_path, {"model": "m"})
    writer.add([key, b"x" * 64], ["from job one", "x"])
    writer.add([key], ["from job two"])
    names = sorted(p.name for p in writer.directory.glob("*.jsonl"))
    expected = "from job one" if names[0].startswith(chunk_name([key, b"x" * 64])) else "from job two"
    assert TranslationCache(tmp_path, {"model": "m"}).get(key) == expected
