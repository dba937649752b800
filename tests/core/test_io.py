"""Tests of crossrank.core.io: atomic writes, strict TSV reading, and released files as they arrive (mislabelled gzip, truncation, BOMs)."""

from __future__ import annotations

import gzip
import os
import stat

import pytest

from crossrank.core.errors import InputError
from crossrank.core.io import all_or_nothing, atomic_path, atomic_write, read_lines, read_tsv, scan_keyed_tsv, write_json, write_tsv


def test_gzip_is_recognised_by_content_not_by_name(tmp_path):
    plain = tmp_path / "de.tsv.gz"  # a browser saved it already decompressed
    plain.write_text("1\tEins\n", encoding="utf-8")
    packed = tmp_path / "ja.tsv"
    packed.write_bytes(gzip.compress("2\t二\n".encode()))
    assert list(scan_keyed_tsv(plain, ("id", "text"))) == [(1, ["1", "Eins"])]
    assert list(scan_keyed_tsv(packed, ("id", "text"))) == [(1, ["2", "二"])]


def test_a_truncated_download_is_one_error_naming_the_file(tmp_path):
    path = tmp_path / "en.tsv.gz"
    data = gzip.compress("".join(f"{i}\ttext {i}\n" for i in range(5000)).encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"en\.tsv\.gz: cannot be read after line \d+ \(EOFError.*Fix: re-download it"):
        list(scan_keyed_tsv(path, ("id", "text")))
    with pytest.raises(InputError, match=r"en\.tsv\.gz: cannot be read"):
        list(read_lines(path))


def test_a_directory_where_a_file_belongs_is_named(tmp_path):
    (tmp_path / "DOCS").mkdir()
    with pytest.raises(InputError, match=r"DOCS: is not a file"):
        list(read_lines(tmp_path / "DOCS"))


def test_a_byte_order_mark_and_spaces_around_ids_do_not_hide_an_id(tmp_path):
    path = tmp_path / "collection.tsv"
    path.write_bytes(b"\xef\xbb\xbf7\tfirst\n 8 \tsecond\n")
    assert dict((f[0], f[1]) for _, f in scan_keyed_tsv(path, ("id", "text"), {"7", "8"})) == {"7": "first", "8": "second"}
    assert next(read_lines(path)) == (1, "7\tfirst\n")


def test_all_or_nothing_removes_what_was_written_before_a_failure(tmp_path):
    first, second = tmp_path / "a.tsv", tmp_path / "sub"
    with pytest.raises(RuntimeError), all_or_nothing([first, second]):
        first.write_text("x")
        second.mkdir()
        (second / "inner").write_text("y")
        raise RuntimeError("interrupted")
    assert not first.exists() and not second.exists()


def test_read_tsv_skips_blank_lines_and_handles_crlf(tmp_path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"a\tb\r\n\r\nc\td\n")
    assert list(read_tsv(path, ("x", "y"))) == [(1, ["a", "b"]), (3, ["c", "d"])]


def test_atomic_write_commits_on_success(tmp_path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with atomic_write(target) as handle:
        handle.write("hello\n")
        assert not target.exists()  # not visible until the body finishes
    assert target.read_text(encoding="utf-8") == "hello\n"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_write_leaves_nothing_when_body_raises(tmp_path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError, match="boom"), atomic_write(target) as handle:
        handle.write("partial")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_old_file_when_body_raises(tmp_path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as handle:
        handle.write("new")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_path_leaves_nothing_when_body_raises(tmp_path) -> None:
    target = tmp_path / "array.npy"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []


def test_write_tsv_with_header(tmp_path) -> None:
    path = tmp_path / "t.tsv"
    write_tsv(path, iter([("a", 1), ("b", 2.5)]), header=("name", "value"))
    assert path.read_text(encoding="utf-8") == "name\tvalue\na\t1\nb\t2.5\n"


def test_written_files_get_umask_permissions_not_private_ones(tmp_path):
    old = os.umask(0o022)
    try:
        write_tsv(tmp_path / "x.tsv", [("a", "b")])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.tsv").stat().st_mode) == 0o644


def test_write_json_sorts_keys_indents_and_ends_with_one_newline(tmp_path) -> None:
    path = tmp_path / "sub" / "summary.json"
    write_json(path, {"b": 1, "a": {"d": [1, 2.5], "c": None}})
    assert path.read_text(encoding="utf-8") == '{\n  "a": {\n    "c": null,\n    "d": [\n      1,\n      2.5\n    ]\n  },\n  "b": 1\n}\n'


def test_write_json_gives_the_same_bytes_whatever_the_key_order(tmp_path) -> None:
    write_json(tmp_path / "one.json", {"x": 1, "y": {"q": 2, "p": 3}})
    write_json(tmp_path / "two.json", {"y": {"p": 3, "q": 2}, "x": 1})
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()


def test_write_json_keeps_the_old_file_when_the_value_cannot_be_written(tmp_path) -> None:
    path = tmp_path / "summary.json"
    write_json(path, {"ok": True})
    with pytest.raises(TypeError, match="not JSON serializable"):
        write_json(path, {"a": 1, "b": object()})  # fails half-way through the output
    assert path.read_text(encoding="utf-8") == '{\n  "ok": true\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_read_json_names_the_file_and_line_of_bad_json(tmp_path):
    from crossrank.core.io import read_json

    (tmp_path / "record.json").write_text('{\n  "a": 1,\n  "b"\n}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"record\.json:4: is not valid JSON \(Expecting ':' delimiter\)"):
        read_json(tmp_path / "record.json")
    write_json(tmp_path / "good.json", {"b": [1, 2], "a": None})
    assert read_json(tmp_path / "good.json") == {"a": None, "b": [1, 2]}
