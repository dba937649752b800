"""Tests of crossrank.fusion.normalization: min-max per query."""

from __future__ import annotations

import pytest

from crossrank.fusion.normalization import min_max


def test_min_max_maps_a_querys_best_to_1_and_its_worst_to_0():
    assert min_max({"a": 12.0, "b": 7.0, "c": 2.0}) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert min_max({"a": -0.25, "b": 0.75, "c": 0.5}) == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.75})  # cosines may be negative


def test_min_max_is_per_query_not_over_the_whole_run():
    run = {"q1": {"a": 30.0, "b": 10.0}, "q2": {"a": 3.0, "b": 2.0, "c": 1.0}}
    assert {qid: min_max(scores) for qid, scores in run.items()} == {"q1": {"a": 1.0, "b": 0.0}, "q2": {"a": 1.0, "b": 0.5, "c": 0.0}}


def test_a_list_without_spread_scores_1_and_an_empty_one_stays_empty():
    assert min_max({"only": 4.2}) == {"only": 1.0}
    assert min_max({"a": 0.3, "b": 0.3}) == {"a": 1.0, "b": 1.0}
    assert min_max({}) == {}
