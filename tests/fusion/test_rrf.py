"""Tests of crossrank.fusion.rrf against hand computations."""

from __future__ import annotations

import pytest

from crossrank.core.runs import ranked
from crossrank.fusion.rrf import rrf

# Two tiny runs of two queries. Ranks: A q1 a1 b2 c3, q2 x1 y2; B q1 c1 d2 a3 (q2 absent).
A = {"q1": {"a": 9.0, "b": 5.0, "c": 1.0}, "q2": {"x": 0.9, "y": 0.1}}
B = {"q1": {"c": 0.8, "d": 0.7, "a": 0.2}}


def test_rrf_sums_one_over_k_plus_rank_over_the_runs_retrieving_a_document():
    fused = rrf([A, B], k=60)
    assert fused["q1"] == pytest.approx({"a": 1 / 61 + 1 / 63, "b": 1 / 62, "c": 1 / 63 + 1 / 61, "d": 1 / 62})
    assert fused["q2"] == pytest.approx({"x": 1 / 61, "y": 1 / 62})  # B has no list for q2: it adds nothing


def test_rrf_reads_ranks_from_scores_in_trec_eval_order_ties_by_docid_descending():
    tied = {"q1": {"m": 2.0, "n": 2.0, "o": 1.0}}  # trec_eval ranks n (docid descending) before m
    assert rrf([tied], k=0)["q1"] == pytest.approx({"n": 1.0, "m": 1 / 2, "o": 1 / 3})


def test_rrf_of_three_runs_with_a_small_k():
    C = {"q1": {"b": 3.0, "a": 2.0}}
    fused = rrf([A, B, C], k=1)
    assert fused["q1"] == pytest.approx({"a": 1 / 2 + 1 / 4 + 1 / 3, "b": 1 / 3 + 1 / 2, "c": 1 / 4 + 1 / 2, "d": 1 / 3})


def test_rrf_of_a_run_with_itself_preserves_its_ranking():
    run = {"q1": {"a": 0.5, "b": 0.9, "c": 0.1, "d": 0.9}, "q2": {"x": 3.0}}
    fused = rrf([run, run], k=60)
    for qid, scores in run.items():
        assert [docid for docid, _ in ranked(fused[qid])] == [docid for docid, _ in ranked(scores)]


def test_a_negative_k_is_refused():
    with pytest.raises(ValueError, match="k must be >= 0"):
        rrf([A], k=-1)
