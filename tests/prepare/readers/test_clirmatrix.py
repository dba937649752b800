from __future__ import annotations

import gzip
import json
import logging

import pytest

from crossrank.core.errors import InputError
from crossrank.prepare.readers.clirmatrix import ClirMatrixQuery, read_documents, read_queries, restrict_to_corpus


def _write_gz(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return path


def _query(src_id, text, results):
    return json.dumps({"src_id": src_id, "src_query": text, "tgt_results": results}, ensure_ascii=False)


def test_reads_released_query_lines_with_graded_labels(tmp_path):
    path = _write_gz(
        tmp_path / "de.ja.test1.jl.gz",
        [_query("3649", "Geographie Finnlands", [["50129", 5], ["11", 1], ["93300", 0]]), _query(17, " Helsinki ", [["7", 6]])],
    )
    queries = list(read_queries(path))
    assert queries[0] == ClirMatrixQuery("3649", "Geographie Finnlands", {"50129": 5, "11": 1, "93300": 0})
    assert queries[0].relevant() == {"50129": 5, "11": 1}  # label 0 is not relevant
    assert queries[0].relevant(level=5) == {"50129": 5}
    assert queries[1].qid == "17" and queries[1].text == "Helsinki"


def test_whitespace_inside_a_query_becomes_single_spaces(tmp_path):
    path = _write_gz(tmp_path / "de.en.test1.jl.gz", [_query("1", "Geographie\tder\nSchweiz ", [["7", 6]])])
    assert next(read_queries(path)).text == "Geographie der Schweiz"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"src_id": "1", "src_query": "x", "tgt_results": [["a", 1]', "malformed JSON"),
        ('{"src_id": "1", "tgt_results": []}', "src_id, src_query and tgt_results"),
        ('{"src_id": "1", "src_query": "x", "tgt_results": [["a", 9]]}', "label 0..6"),
        ('{"src_id": "1", "src_query": "x", "tgt_results": {"a": 1}}', "list of"),
    ],
)
def test_bad_query_lines_name_file_and_line(tmp_path, line, message):
    path = _write_gz(tmp_path / "ar.ru.test1.jl.gz", [_query("0", "ok", [["d", 1]]), line])
    with pytest.raises(InputError, match=rf"ar\.ru\.test1\.jl\.gz:2: .*{message}"):
        list(read_queries(path))


def test_documents_are_streamed_and_filtered(tmp_path):
    path = _write_gz(tmp_path / "ja.tsv.gz", ["50129\tフィンランドの地理\tis here", "11\t ヘルシンキ  市 ", "12\tunused"])
    assert read_documents(path, wanted={"50129", "11", "404"}) == {"50129": "フィンランドの地理 is here", "11": "ヘルシンキ 市"}
    assert len(read_documents(path)) == 3
    bad = _write_gz(tmp_path / "bad.tsv.gz", ["1\tfine", "no tab here"])
    with pytest.raises(InputError, match=r"bad\.tsv\.gz:2: expected 'doc_id<TAB>text'"):
        read_documents(bad)


def test_missing_documents_are_skipped_and_counted(caplog):
    queries = [ClirMatrixQuery("q1", "a", {"d1": 3, "gone": 1}), ClirMatrixQuery("q2", "b", {"gone2": 0})]
    with caplog.at_level(logging.WARNING):
        kept, missing = restrict_to_corpus(queries, {"d1": "text"}, "de.ja.test1")
    assert missing == 2
    assert [q.judgments for q in kept] == [{"d1": 3}, {}]
    assert "de.ja.test1: 2 judged document ids are missing" in caplog.text
