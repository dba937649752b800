"""Tests of crossrank.core.contract: round trips of the contract files and strict reading of them."""

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


def test_non_utf8_bytes_name_file_and_line(tmp_path):
    path = tmp_path / "documents.tsv"
    path.write_bytes(b"docid\tlang\ttext\nd1\ten\tfine\nd2\tde\tbad \xff byte\n")
    with pytest.raises(InputError, match=r"documents.tsv:3: not valid UTF-8"):
        read_documents(path)
