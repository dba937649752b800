"""Tests of crossrank.contract and crossrank.io: round trips, strict reading, atomic writes."""

from __future__ import annotations

import pytest

from crossrank.core.contract import (
    Document,
    Topic,
    read_docs_table,
    read_documents,
    read_qrels,
    read_topics,
    write_docs_table,
    write_documents,
    write_qrels,
    write_topics,
)
from crossrank.core.errors import InputError
from crossrank.core.io import atomic_path, atomic_write, read_tsv, write_tsv

DOCUMENTS = [
    Document("territory.DE", "de", "Deutschland: Deutsch; Euro"),
    Document("territory.CN", "zh", "中国：中文；人民币"),
    Document("language.ar", "ar", "العربية: مصر، السعودية"),
    Document("x 1", "en", "  leading and trailing spaces  "),
    Document("empty", "en", ""),
    Document("odd-separators", "en", "line\u2028sep\x85nel\x0cff"),
]
TOPICS = [
    Topic("q1.en", "en", "de", "Germany"),
    Topic("q1.ja", "ja", "de", "ドイツ"),
    Topic("q2.fr", "fr", "zh", "Chine populaire"),
]
QRELS = {"q2": {"d9": 1, "d10": 0}, "q1": {"b": 2, "a": 1}}


def test_documents_round_trip(tmp_path) -> None:
    path = tmp_path / "documents.original.tsv"
    write_documents(path, DOCUMENTS)
    assert read_documents(path) == DOCUMENTS
    assert path.read_text(encoding="utf-8").splitlines()[0] == "docid\tlang\ttext"


def test_topics_round_trip(tmp_path) -> None:
    path = tmp_path / "topics.tsv"
    write_topics(path, TOPICS)
    assert read_topics(path) == TOPICS
    assert path.read_text(encoding="utf-8").splitlines()[0] == "q1.en\ten\tde\tGermany"  # no header


def test_docs_table_round_trip(tmp_path) -> None:
    path = tmp_path / "docs.tsv"
    write_docs_table(path, DOCUMENTS)
    assert read_docs_table(path) == {d.docid: d.lang for d in DOCUMENTS}
    assert path.read_text(encoding="utf-8").splitlines()[1] == "territory.CN\tzh"


def test_qrels_round_trip_and_sorted_output(tmp_path) -> None:
    path = tmp_path / "qrels.tsv"
    write_qrels(path, QRELS)
    assert read_qrels(path) == QRELS
    assert path.read_text(encoding="utf-8") == "q1 0 a 1\nq1 0 b 2\nq2 0 d10 0\nq2 0 d9 1\n"


def test_write_documents_rejects_tab_in_text(tmp_path) -> None:
    path = tmp_path / "documents.tsv"
    with pytest.raises(ValueError, match="tab or newline"):
        write_documents(path, [Document("d1", "en", "a\tb")])
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def _write(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def test_duplicate_docid_raises_naming_file_and_line(tmp_path) -> None:
    path = tmp_path / "documents.tsv"
    _write(path, "docid\tlang\ttext\nd1\ten\tone\nd2\ten\ttwo\nd1\tde\teins\n")
    with pytest.raises(InputError) as info:
        read_documents(path)
    assert f"{path}:4:" in str(info.value)
    assert "duplicate docid 'd1'" in str(info.value)
    assert info.value.line == 4
    assert info.value.path == str(path)


def test_duplicate_qid_raises_naming_file_and_line(tmp_path) -> None:
    path = tmp_path / "topics.tsv"
    _write(path, "q1\ten\tde\tGermany\n\nq1\tfr\tde\tAllemagne\n")
    with pytest.raises(InputError) as info:
        read_topics(path)
    assert f"{path}:3:" in str(info.value)
    assert "duplicate qid 'q1'" in str(info.value)


@pytest.mark.parametrize(
    ("reader", "name", "body", "line"),
    [
        (read_topics, "topics.tsv", "q1\ten\tde\tGermany\nq2\ten\tde\tGer\tmany\n", 2),
        (read_topics, "topics.tsv", "q1\ten\tde\tGermany\nq2\ten\tde\n", 2),
        (read_documents, "documents.tsv", "docid\tlang\ttext\nd1\ten\tone\nd2\ten\n", 3),
        (read_docs_table, "docs.tsv", "d1\ten\nd2\ten\textra\n", 2),
    ],
)
def test_wrong_field_count_raises_with_location_and_fix(tmp_path, reader, name: str, body: str, line: int) -> None:
    path = tmp_path / name
    _write(path, body)
    with pytest.raises(InputError) as info:
        reader(path)
    message = str(info.value)
    assert f"{path}:{line}" in message
    assert "Fix:" in message
    assert "tab-separated fields" in message


def test_wrong_header_raises(tmp_path) -> None:
    path = tmp_path / "documents.tsv"
    _write(path, "id\tlang\ttext\nd1\ten\tone\n")
    with pytest.raises(InputError) as info:
        read_documents(path)
    assert f"{path}:1:" in str(info.value)
    assert "Fix:" in str(info.value)


def test_missing_file_raises_input_error(tmp_path) -> None:
    for reader in (read_documents, read_topics, read_qrels, read_docs_table):
        with pytest.raises(InputError, match="file not found"):
            reader(tmp_path / "nope.tsv")


def test_read_tsv_skips_blank_lines_and_handles_crlf(tmp_path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes(b"a\tb\r\n\r\nc\td\n")
    assert list(read_tsv(path, ("x", "y"))) == [(1, ["a", "b"]), (3, ["c", "d"])]


def test_qrels_non_integer_label_raises_with_line(tmp_path) -> None:
    path = tmp_path / "qrels.tsv"
    _write(path, "q1 0 d1 1\nq1 0 d2 1.5\n")
    with pytest.raises(InputError) as info:
        read_qrels(path)
    assert f"{path}:2:" in str(info.value)
    assert "'1.5'" in str(info.value)
    assert info.value.line == 2


def test_qrels_wrong_field_count_raises_with_line(tmp_path) -> None:
    path = tmp_path / "qrels.tsv"
    _write(path, "q1 0 d1 1\n\nq1 d2 1\n")
    with pytest.raises(InputError) as info:
        read_qrels(path)
    assert f"{path}:3:" in str(info.value)


def test_input_error_message_format() -> None:
    error = InputError("data/x.tsv", "bad thing.", line=7, fix="do this.")
    assert str(error) == "data/x.tsv:7: bad thing. Fix: do this."
    assert str(InputError("data/x.tsv", "bad thing.")) == "data/x.tsv: bad thing."
    assert isinstance(error, ValueError)


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


def test_non_utf8_bytes_name_file_and_line(tmp_path):
    from crossrank.core.contract import read_documents
    from crossrank.core.errors import InputError

    path = tmp_path / "documents.tsv"
    path.write_bytes(b"docid\tlang\ttext\nd1\ten\tfine\nd2\tde\tbad \xff byte\n")
    with pytest.raises(InputError, match=r"documents.tsv:3: not valid UTF-8"):
        read_documents(path)


def test_written_files_get_umask_permissions_not_private_ones(tmp_path):
    import os
    import stat

    from crossrank.core.io import write_tsv

    old = os.umask(0o022)
    try:
        write_tsv(tmp_path / "x.tsv", [("a", "b")])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.tsv").stat().st_mode) == 0o644
