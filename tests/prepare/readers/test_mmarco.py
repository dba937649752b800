from __future__ import annotations

import pytest

from crossrank.core.errors import InputError
from crossrank.prepare.readers.mmarco import language_name, read_judgments, read_subset


def test_language_names_follow_the_release():
    assert language_name("zh") == "chinese" and language_name("nl") == "dutch"
    with pytest.raises(ValueError, match="no language 'sw'"):
        language_name("sw")


def test_collection_is_streamed_and_subset_by_id(tmp_path):
    path = tmp_path / "german_collection.tsv"
    path.write_text("0\tDie  Tonerde\n1\tzweite Passage\n2\tdritte\twith a stray tab\n", encoding="utf-8")
    assert read_subset(path, {"2", "0", "404"}) == {"0": "Die Tonerde", "2": "dritte with a stray tab"}


def test_unwanted_lines_are_not_decoded_but_still_checked(tmp_path):
    path = tmp_path / "french_collection.tsv"
    path.write_bytes(b"0\tok\n1\t\xff not utf-8 but never asked for\n")
    assert read_subset(path, {"0"}) == {"0": "ok"}
    with pytest.raises(InputError, match=r"french_collection\.tsv:2: not valid UTF-8"):
        read_subset(path, {"1"})
    path.write_text("0\tok\nbroken row without tab\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"french_collection\.tsv:2: expected 'id<TAB>text', found no tab"):
        read_subset(path, {"0"})


def test_shared_qrels_keep_their_line_numbers(tmp_path):
    path = tmp_path / "qrels.dev.small.tsv"
    path.write_text("1048585\t0\t7187158\t1\n2\t0\t9\t1\n", encoding="utf-8")
    assert read_judgments(path) == {"1048585": {"7187158": (1, 1)}, "2": {"9": (1, 2)}}
    path.write_text("1\t0\t9\tyes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"qrels\.dev\.small\.tsv:1: relevance 'yes' is not an integer"):
        read_judgments(path)
