"""Reading released files as they arrive from the web: mislabelled gzip, truncation, byte-order marks (crossrank.io)."""

from __future__ import annotations

import gzip

import pytest

from crossrank.core.errors import InputError
from crossrank.core.io import all_or_nothing, read_lines, scan_keyed_tsv


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
