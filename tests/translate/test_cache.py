"""Tests of crossrank.translate.cache: the translation cache's chunks as concurrent jobs and damaged disks leave them."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from crossrank.core.cache_store import DAMAGED_DIRECTORY, SEAL_SUFFIX, UNSEALED_GRACE_SECONDS, chunk_name, file_sha256
from crossrank.translate.cache import TranslationCache, piece_key


def test_a_stray_temporary_file_is_not_read_as_a_chunk(tmp_path: Path):
    cache = TranslationCache(tmp_path, {"model": "m"})
    cache.add([b"a" * 64], ["first"])
    (cache.directory / ".half.jsonl.x.tmp").write_text('["' + "b" * 64 + '", "half')
    assert cache.missing([b"a" * 64, b"b" * 64]) == [b"b" * 64]
    assert cache.get(b"a" * 64) == "first"


@pytest.mark.parametrize("first_chunk_is_smaller", [True, False])
def test_a_piece_stored_twice_is_read_from_the_chunk_committed_first_in_every_process(tmp_path: Path, first_chunk_is_smaller: bool):
    key = b"k" * 64
    others = [piece_key("deu_Latn", f"other {i}") for i in range(64)]
    # a second key that makes the two-key chunk's name sort before (or after) the one-key chunk's
    other = next(o for o in others if (chunk_name([key, o]) < chunk_name([key])) == first_chunk_is_smaller)
    writer = TranslationCache(tmp_path, {"model": "m"})
    assert writer.add([key, other], ["from job one", "x"])
    assert writer.add([key], ["from job two"])  # another batch: another chunk, committed later
    assert writer.get(key) == "from job one"
    assert TranslationCache(tmp_path, {"model": "m"}).get(key) == "from job one"


def test_a_chunk_of_the_same_keys_is_written_once(tmp_path: Path):
    first, second = TranslationCache(tmp_path, {"model": "m"}), TranslationCache(tmp_path, {"model": "m"})
    assert first.add([b"k" * 64], ["from job one"])
    assert not second.add([b"k" * 64], ["from job two"])
    assert second.get(b"k" * 64) == first.get(b"k" * 64) == "from job one"
    assert len(list(first.directory.glob("*.jsonl"))) == 1


PIECES = {piece_key("deu_Latn", f"Satz {i}"): f"sentence {i} – übersetzt" for i in range(7)}


def _translate(cache: TranslationCache, chunk_size: int = 3) -> int:
    """What the translation step does: translate (here: look up PIECES) what is missing, in chunks; return how many."""
    missing = cache.missing(list(PIECES))
    for start in range(0, len(missing), chunk_size):
        chunk = missing[start : start + chunk_size]
        cache.add(chunk, [PIECES[key] for key in chunk])
    return len(missing)


def _change_a_letter(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"sentence", b"sentenca", 1))  # still valid JSON: the damage is silent


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 9])


def _bad_line_resealed(path: Path) -> None:
    """A line that is not a [key, translation] pair, under a seal that matches it (a writer's bug, not the disk's)."""
    path.write_text(path.read_text(encoding="utf-8") + '{"key": "value"}\n', encoding="utf-8")
    seal = path.with_suffix(SEAL_SUFFIX)
    seal.write_text(json.dumps({"files": {".jsonl": {"bytes": path.stat().st_size, "sha256": file_sha256(path)}}}), encoding="utf-8")


def _wrong_digest(path: Path) -> None:
    seal = path.with_suffix(SEAL_SUFFIX)
    record = json.loads(seal.read_text(encoding="utf-8"))
    record["files"][".jsonl"]["sha256"] = "f" * 64
    seal.write_text(json.dumps(record), encoding="utf-8")


@pytest.mark.parametrize("spoil", [_change_a_letter, _truncate, _bad_line_resealed, _wrong_digest], ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_chunk_is_moved_aside_and_exactly_its_pieces_are_translated_again(tmp_path: Path, spoil, caplog):
    first = TranslationCache(tmp_path, {"model": "m"})
    assert _translate(first) == 7
    chunk_file = sorted(first.directory.glob("*.jsonl"))[0]
    size = len(chunk_file.read_text(encoding="utf-8").splitlines())
    spoil(chunk_file)

    cache = TranslationCache(tmp_path, {"model": "m"})  # a new process: nothing verified yet
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        assert _translate(cache) == size
    assert {key: cache.get(key) for key in PIECES} == PIECES
    (moved,) = (first.directory / DAMAGED_DIRECTORY).iterdir()
    assert (moved / chunk_file.name).is_file()
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(chunk_file.with_suffix("")) in message and "recomputed" in message


def test_a_chunk_without_its_seal_is_never_read_and_moved_aside_once_old(tmp_path: Path, caplog):
    first = TranslationCache(tmp_path, {"model": "m"})
    _translate(first)
    chunk_file = sorted(first.directory.glob("*.jsonl"))[0]
    size = len(chunk_file.read_text(encoding="utf-8").splitlines())
    chunk_file.with_suffix(SEAL_SUFFIX).unlink()
    _change_a_letter(chunk_file)  # nothing vouches for these bytes any more
    past = time.time() - UNSEALED_GRACE_SECONDS - 60
    os.utime(chunk_file, (past, past))

    cache = TranslationCache(tmp_path, {"model": "m"})
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        assert _translate(cache) == size
    assert {key: cache.get(key) for key in PIECES} == PIECES
    (moved,) = (first.directory / DAMAGED_DIRECTORY).iterdir()
    assert [p.name for p in moved.iterdir()] == [chunk_file.name]
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(chunk_file.with_suffix("")) in message and "no seal" in message
