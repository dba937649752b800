"""Tests of crossrank.core.cache_store: cache keys, fingerprint directories, chunk names, shards, seals and quarantine."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from crossrank.core.cache_store import (
    DAMAGED_DIRECTORY,
    LOCK_FILE,
    SEAL_SUFFIX,
    UNSEALED_GRACE_SECONDS,
    Quarantined,
    chunk_files,
    chunk_name,
    chunk_problem,
    directory_lock,
    file_sha256,
    fingerprint_directory,
    key_shard,
    quarantine,
    quarantine_chunk,
    quarantine_unsealed,
    sealed_chunks,
    text_key,
    write_sealed_chunk,
)

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


SUFFIXES = (".a.bin", ".b.bin")


def _sealed(directory: Path, chunk: str = "c0") -> Path:
    """A chunk of two data files and its seal, as a cache writes it."""
    write_sealed_chunk(directory, chunk, {".a.bin": lambda t: t.write_bytes(b"alpha" * 100), ".b.bin": lambda t: t.write_bytes(b"beta")})
    return directory


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_sealed_chunk_records_size_and_sha256_of_each_file_and_verifies(tmp_path):
    _sealed(tmp_path)
    seal = json.loads((tmp_path / f"c0{SEAL_SUFFIX}").read_text(encoding="utf-8"))
    assert seal["files"][".a.bin"] == {"bytes": 500, "sha256": hashlib.sha256(b"alpha" * 100).hexdigest()}
    assert sealed_chunks(tmp_path) == ["c0"] and chunk_problem(tmp_path, "c0", SUFFIXES) is None
    assert file_sha256(tmp_path / "c0.b.bin") == hashlib.sha256(b"beta").hexdigest()
    assert [p.name for p in tmp_path.glob(".*")] == [LOCK_FILE], "no temporary file may survive"
    assert seal["commit"] == 1


def test_nothing_is_renamed_into_place_before_every_file_of_the_chunk_is_written(tmp_path):
    def crash(_tmp):
        raise KeyboardInterrupt  # killed while writing the second file

    with pytest.raises(KeyboardInterrupt):
        write_sealed_chunk(tmp_path, "c0", {".a.bin": lambda t: t.write_bytes(b"a"), ".b.bin": crash})
    assert sealed_chunks(tmp_path) == [] and list(tmp_path.iterdir()) == [], "no file, and no temporary file, may survive"


def test_a_sealed_chunk_is_never_rewritten_and_commits_are_numbered(tmp_path):
    assert write_sealed_chunk(tmp_path, "c0", {".a.bin": lambda t: t.write_bytes(b"first")}) == 1
    assert write_sealed_chunk(tmp_path, "c0", {".a.bin": lambda t: t.write_bytes(b"second, from another batch")}) is None
    assert (tmp_path / "c0.a.bin").read_bytes() == b"first" and chunk_problem(tmp_path, "c0", (".a.bin",)) is None
    assert write_sealed_chunk(tmp_path, "c1", {".a.bin": lambda t: t.write_bytes(b"other")}) == 2
    assert (tmp_path / LOCK_FILE).read_text() == "2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_FILE, "c0.a.bin", "c0.sha256", "c1.a.bin", "c1.sha256"]


def test_a_damaged_sealed_chunk_is_moved_aside_and_written_afresh(tmp_path):
    write_sealed_chunk(tmp_path, "c0", {".a.bin": lambda t: t.write_bytes(b"first")})
    (tmp_path / "c0.a.bin").write_bytes(b"flipd")
    assert write_sealed_chunk(tmp_path, "c0", {".a.bin": lambda t: t.write_bytes(b"fresh")}) == 2
    assert (tmp_path / "c0.a.bin").read_bytes() == b"fresh" and chunk_problem(tmp_path, "c0", (".a.bin",)) is None
    (moved,) = (tmp_path / DAMAGED_DIRECTORY).iterdir()
    assert (moved / "c0.a.bin").read_bytes() == b"flipd"


def test_the_directory_lock_is_reentrant_and_excludes_other_threads(tmp_path):
    entered: list[str] = []

    def other() -> None:
        with directory_lock(tmp_path):
            entered.append("other")

    with directory_lock(tmp_path), directory_lock(tmp_path):  # reentrant: no deadlock
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(0.2)
        assert thread.is_alive() and entered == []  # a second thread waits
        entered.append("first")
    thread.join(5)
    assert entered == ["first", "other"]


def test_a_chunk_found_damaged_is_re_checked_under_the_lock_before_it_is_moved(tmp_path):
    _sealed(tmp_path)
    assert quarantine_chunk(tmp_path, "c0", SUFFIXES, "looked damaged", lambda: None) is Quarantined.INTACT
    assert chunk_problem(tmp_path, "c0", SUFFIXES) is None and not (tmp_path / DAMAGED_DIRECTORY).exists()
    assert quarantine_chunk(tmp_path, "c0", SUFFIXES, "damaged", lambda: "still damaged") is Quarantined.MOVED
    assert quarantine_chunk(tmp_path, "c0", SUFFIXES, "damaged", lambda: pytest.fail("re-checked a moved chunk")) is Quarantined.GONE
    assert len(list((tmp_path / DAMAGED_DIRECTORY).iterdir())) == 1


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: _flip(d / "c0.a.bin", 250), "c0.a.bin does not match the SHA-256"),
        (lambda d: _truncate(d / "c0.b.bin"), "c0.b.bin has 2 bytes, its seal says 4"),
        (lambda d: (d / "c0.b.bin").unlink(), "c0.b.bin is missing"),
        (lambda d: (d / f"c0{SEAL_SUFFIX}").write_text('{"files": {'), "its seal c0.sha256 is unreadable"),
        (lambda d: (d / f"c0{SEAL_SUFFIX}").write_text('{"files": {}}'), "its seal c0.sha256 is unreadable"),
    ],
    ids=["flipped", "truncated", "deleted", "bad-seal", "seal-without-file"],
)
def test_chunk_problem_names_the_damaged_file_and_what_is_wrong(tmp_path, damage, expected):
    damage(_sealed(tmp_path))
    assert expected in (chunk_problem(tmp_path, "c0", SUFFIXES) or "")


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_quarantine_moves_the_entry_aside_and_warns_once_naming_it(tmp_path, caplog):
    _sealed(tmp_path)
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        target = quarantine(tmp_path / "c0", chunk_files(tmp_path, "c0", SUFFIXES), "c0.a.bin is broken")
    assert target is not None and target.parent == tmp_path / DAMAGED_DIRECTORY
    assert sorted(p.name for p in target.iterdir()) == ["c0.a.bin", "c0.b.bin", "c0.sha256"]
    assert not list(tmp_path.glob("c0*")) and sealed_chunks(tmp_path) == []
    (message,) = _warnings(caplog)
    assert str(tmp_path / "c0") in message and "c0.a.bin is broken" in message and "recomputed" in message


def test_a_second_quarantine_of_the_same_name_never_overwrites_the_first(tmp_path):
    first = quarantine(tmp_path / "c0", chunk_files(_sealed(tmp_path), "c0", SUFFIXES), "first")
    second = quarantine(tmp_path / "c0", chunk_files(_sealed(tmp_path), "c0", SUFFIXES), "second")
    assert first != second and len(list((tmp_path / DAMAGED_DIRECTORY).iterdir())) == 2


def test_an_entry_that_cannot_be_moved_is_reported_with_the_fix(tmp_path, caplog, monkeypatch):
    _sealed(tmp_path)

    def read_only(*_args):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(os, "replace", read_only)
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        assert quarantine(tmp_path / "c0", chunk_files(tmp_path, "c0", SUFFIXES), "broken") is None
    (message,) = _warnings(caplog)
    assert str(tmp_path / "c0") in message and "Fix: delete it by hand" in message


def test_old_unsealed_files_are_quarantined_and_young_ones_left_to_their_writer(tmp_path, caplog):
    _sealed(tmp_path, "kept")
    (tmp_path / "old.a.bin").write_bytes(b"from an older version")
    (tmp_path / "young.a.bin").write_bytes(b"being written")
    past = time.time() - UNSEALED_GRACE_SECONDS - 60
    os.utime(tmp_path / "old.a.bin", (past, past))
    with caplog.at_level(logging.WARNING, logger="crossrank"):
        quarantine_unsealed(tmp_path, SUFFIXES)
    (moved,) = (tmp_path / DAMAGED_DIRECTORY).iterdir()
    assert [p.name for p in moved.iterdir()] == ["old.a.bin"]
    assert (tmp_path / "young.a.bin").exists() and chunk_problem(tmp_path, "kept", SUFFIXES) is None
    (message,) = _warnings(caplog)
    assert str(tmp_path / "old") in message and "no seal" in message
