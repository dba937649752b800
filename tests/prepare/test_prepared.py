"""Tests of crossrank.prepare.prepared: a prepared dataset is checked for consistency before anything is written."""

from __future__ import annotations

import factories
import pytest

from crossrank.core.errors import InputError
from crossrank.prepare.prepared import PreparedDataset, check_prepared


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
