"""Tests of crossrank.fusion.combsum against hand computations."""

from __future__ import annotations

import pytest

from crossrank.fusion.combsum import combsum_min_max

# BM25-like scores and cosines: min-max puts them on one scale per query.
BM25 = {"q1": {"a": 12.0, "b": 7.0, "c": 2.0}, "q2": {"x": 4.0}}
DENSE = {"q1": {"c": 0.9, "d": 0.6, "a": 0.3}, "q2": {"y": 0.8, "x": 0.4}, "q3": {"z": 0.5, "w": 0.1}}


def test_combsum_sums_each_runs_min_max_scores_and_a_missing_document_adds_zero():
    fused = combsum_min_max([BM25, DENSE])
    # q1: BM25 a 1, b 0.5, c 0; dense c 1, d 0.5, a 0.
    assert fused["q1"] == pytest.approx({"a": 1.0, "b": 0.5, "c": 1.0, "d": 0.5})
    # q2: BM25 retrieved x alone (no spread: 1); dense y 1, x 0.
    assert fused["q2"] == pytest.approx({"x": 1.0, "y": 1.0})
    # q3: BM25 has no list, so only dense counts.
    assert fused["q3"] == pytest.approx({"z": 1.0, "w": 0.0})


def test_combsum_of_three_runs():
    third = {"q1": {"d": 5.0, "b": 1.0, "e": 3.0}}
    fused = combsum_min_max([BM25, DENSE, third])
    assert fused["q1"] == pytest.approx({"a": 1.0, "b": 0.5, "c": 1.0, "d": 1.5, "e": 0.5})
