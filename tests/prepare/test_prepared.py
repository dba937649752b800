"""Tests of crossrank.prepare.prepared: a prepared dataset is checked for consistency before anything is written."""

from __future__ import annotations

import factories
import pytest

from crossrank.core.errors import InputError
from crossrank.prepare.prepared import PreparedDataset, check_prepared, counted


@pytest.mark.parametrize(
    ("qrels", "message"),
    [
        ({"q": {"elsewhere": 1}}, r"qrels of 'q' name documents outside the pool"),
        ({"q": {"d": 0}}, r"query 'q' has no relevant document in the pool"),
    ],
)
def test_inconsistent_prepared_data_is_caught_before_writing(qrels, message):
    prepared = PreparedDataset(factories.documents({"d": ("de", "text")}), factories.topics({"q": ("en", "de", "query")}), qrels, [])
    with pytest.raises(InputError, match=message):
        check_prepared(prepared, "demo")


@pytest.mark.parametrize(
    ("documents", "oracle", "query", "message"),
    [
        ({"d": ("de", "text"), "e": ("de", " \t ")}, None, "query", r"demo: 1 pool document\(s\) have empty text, e\.g\. 'e'\."),
        ({"d": ("de", "text")}, {"d": "  "}, "query", r"demo: 1 pool document\(s\) have an empty English text, e\.g\. 'd'\."),
        ({"d": ("de", "text")}, None, "   ", r"demo: 1 topic\(s\) have empty text, e\.g\. 'q'\."),
    ],
)
def test_empty_texts_are_the_last_guard_before_writing(documents, oracle, query, message):
    prepared = PreparedDataset(factories.documents(documents), factories.topics({"q": ("en", "de", query)}), {"q": {"d": 1}}, [])
    prepared.oracle_english = oracle
    with pytest.raises(InputError, match=message + r" Fix: the protocols drop empty texts .* report this bug"):
        check_prepared(prepared, "demo")


def test_counted_rows_name_each_nonzero_key_and_always_the_total():
    assert counted("queries_empty_text", {"de-en": 2, "en-de": 0, "ja-de": 1}) == [
        ("queries_empty_text", "de-en", 2),
        ("queries_empty_text", "ja-de", 1),
        ("queries_empty_text", "all", 3),
    ]
    assert counted("documents_empty_text", {}) == [("documents_empty_text", "all", 0)]
