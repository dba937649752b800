"""Tests of crossrank.fusion.methods: the methods by name, the depth, and deterministic ties."""

from __future__ import annotations

import pytest

from crossrank.fusion.methods import fuse_runs, method_settings

BM25 = {"q1": {"a": 12.0, "b": 7.0, "c": 2.0}}
DENSE = {"q1": {"c": 0.9, "d": 0.6, "a": 0.3}}


def test_each_methods_settings_name_what_determines_it():
    assert method_settings("rrf", 60) == {"method": "rrf", "k": 60}
    assert method_settings("combsum", 60) == {"method": "combsum", "normalization": "min-max"}
    with pytest.raises(ValueError, match="unknown fusion method 'borda'; the methods are rrf, combsum"):
        method_settings("borda", 60)


def test_rrf_ranks_by_fused_score_and_breaks_ties_by_docid_descending():
    # a: 1/61 + 1/63, c: 1/63 + 1/61 (a tie), b: 1/62, d: 1/62 (a tie).
    fused = fuse_runs([BM25, DENSE], method_settings("rrf", 60), top_k=10)
    assert [docid for docid, _ in fused["q1"]] == ["c", "a", "d", "b"]
    assert fused["q1"][0][1] == round(1 / 61 + 1 / 63, 6)


def test_combsum_ranks_by_fused_score_and_keeps_top_k():
    fused = fuse_runs([BM25, DENSE], method_settings("combsum", 60), top_k=3)
    assert fused == {"q1": [("c", 1.0), ("a", 1.0), ("d", 0.5)]}  # b's 0.5 ties d's and loses on docid


def test_a_method_fuse_runs_does_not_know_is_refused():
    with pytest.raises(ValueError, match="unknown fusion method 'sum'"):
        fuse_runs([BM25, DENSE], {"method": "sum"}, top_k=3)
    with pytest.raises(ValueError, match="min-max only"):
        fuse_runs([BM25, DENSE], {"method": "combsum", "normalization": "z-score"}, top_k=3)
