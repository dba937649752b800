"""Tests of crossrank.core.text_prefix: the longest token-boundary prefix that still fits."""

from __future__ import annotations

import pytest

from crossrank.core.text_prefix import longest_fitting_prefix


def test_the_longest_candidate_that_fits_is_taken():
    text = "alpha beta gamma delta"
    # Token ends after each word; a prefix "fits" when it has at most 2 words.
    ends = [5, 10, 16, 22]
    assert longest_fitting_prefix(text, ends, lambda prefix: len(prefix.split()) <= 2) == "alpha beta"
    assert longest_fitting_prefix(text, ends, lambda prefix: True) == text


def test_when_nothing_fits_the_shortest_candidate_is_kept_and_no_end_is_an_error():
    assert longest_fitting_prefix("abc def", [3, 7], lambda prefix: False) == "abc"
    with pytest.raises(ValueError, match="no token ends inside"):
        longest_fitting_prefix("abc", [0], lambda prefix: True)
