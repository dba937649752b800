from __future__ import annotations

import pytest

from crossrank.core.errors import InputError
from crossrank.prepare.readers.wikiclir import read_full_qrels, read_full_table, read_split, text_id

SPLIT = (
    "2\tWoolmer is a place in hampshire, england.\tWoolmer ist ein Dorf in East Hampshire.\n"
    "0\tWoolmer is a place in hampshire, england.\tEin anderer Artikel.\n"
    "1\tWoolmer is a place in hampshire, england.\tHampshire ist eine Grafschaft.\n"
    "2\tFinland is a country.\tFinnland ist ein Staat.\n"
    "0\tFinland is a country.\tEin anderer Artikel.\n"
)


def test_split_release_groups_lines_by_query_with_stable_ids(tmp_path):
    path = tmp_path / "test1.txt"
    path.write_text(SPLIT, encoding="utf-8")
    queries = list(read_split(path))
    assert [q.text for q in queries] == ["Woolmer is a place in hampshire, england.", "Finland is a country."]
    assert queries[0].qid == text_id("q", "Woolmer is a place in hampshire, england.")
    labels = sorted(label for label, _ in queries[0].documents.values())
    assert labels == [0, 1, 2]
    shared = text_id("d", "Ein anderer Artikel.")
    assert shared in queries[0].documents and shared in queries[1].documents  # same text, same id
    assert [q.qid for q in read_split(path)] == [q.qid for q in queries]


def test_repeated_query_texts_stay_distinct_queries(tmp_path):
    path = tmp_path / "test1.txt"
    path.write_text(
        "2\tis a commune in France.\tAbc ist eine Gemeinde.\n"
        "0\tis a commune in France.\tEin anderer Artikel.\n"
        "2\tis a commune in France.\tXyz ist eine Gemeinde.\n"  # adjacent: a second linked article is a second query
        "2\tFinland is a country.\tFinnland ist ein Staat.\n"
        "2\tis a commune in France.\tUvw ist eine Gemeinde.\n",  # the same text again later
        encoding="utf-8",
    )
    queries = list(read_split(path))
    base = text_id("q", "is a commune in France.")
    assert [q.qid for q in queries] == [base, f"{base}-2", text_id("q", "Finland is a country."), f"{base}-3"]
    assert [len(q.documents) for q in queries] == [2, 1, 1, 1]
    assert [q.repeats_a_text for q in queries] == [False, True, False, True]


def test_empty_documents_keep_their_label_but_never_a_document_id(tmp_path):
    path = tmp_path / "test1.txt"
    path.write_text(
        "2\tis a commune in France.\t   \n"
        "0\tis a commune in France.\tEin anderer Artikel.\n"
        "2\tis a commune in France.\tXyz ist eine Gemeinde.\n",  # still a second query: the empty line was its first's rel 2
        encoding="utf-8",
    )
    first, second = read_split(path)
    assert first.empty_labels == [2] and list(first.documents) == [text_id("d", "Ein anderer Artikel.")]
    assert not first.relevant() and second.relevant() and second.qid.endswith("-2")


@pytest.mark.parametrize(("line", "message"), [("3\tq\td", "not one of"), ("x\tq\td", "not an integer"), ("2\tq", "found 2")])
def test_bad_split_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "dev.txt"
    path.write_text("2\tq\td\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"dev\.txt:2: .*{message}"):
        list(read_split(path))


def test_full_release_tables_and_qrels(tmp_path):
    queries = tmp_path / "wiki_en.queries"
    queries.write_text("12\tWoolmer\tWoolmer is a  village.\n", encoding="utf-8")
    assert list(read_full_table(queries)) == [("12", "Woolmer", "Woolmer is a village.")]
    rel = tmp_path / "en2de.rel"
    rel.write_text("12 345 2\n12 346 1\n", encoding="utf-8")
    assert read_full_qrels(rel) == {"12": {"345": (2, 1), "346": (1, 2)}}
    rel.write_text("12 0 345 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"en2de\.rel:1: expected 3 fields"):
        read_full_qrels(rel)
