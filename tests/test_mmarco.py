from __future__ import annotations

import pytest

from crossrank.contract import read_qrels
from crossrank.datasets.mmarco import iter_id_text, language_name, read_subset
from crossrank.io import InputError


def test_language_names_follow_the_release(tmp_path):
    assert language_name("zh") == "chinese" and language_name("nl") == "dutch"
    with pytest.raises(ValueError, match="no language 'sw'"):
        language_name("sw")


def test_collection_is_streamed_and_subset_by_id(tmp_path):
    path = tmp_path / "german_collection.tsv"
    path.write_text("0\tDie  Tonerde\n1\tzweite Passage\n2\tdritte\n", encoding="utf-8")
    assert next(iter_id_text(path)) == ("0", "Die Tonerde")
    assert read_subset(path, {"2", "0"}) == {"0": "Die Tonerde", "2": "dritte"}


def test_malformed_collection_row_names_file_and_line(tmp_path):
    path = tmp_path / "french_collection.tsv"
    path.write_text("0\tok\nbroken row without tab\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"french_collection\.tsv:2: expected 'id<TAB>text'"):
        list(iter_id_text(path))


def test_shared_qrels_are_read_as_trec_qrels(tmp_path):
    path = tmp_path / "qrels.dev.small.tsv"
    path.write_text("1048585\t0\t7187158\t1\n2\t0\t9\t1\n", encoding="utf-8")
    assert read_qrels(path) == {"1048585": {"7187158": 1}, "2": {"9": 1}}
