"""Tests of crossrank.rerank.candidates: both candidate modes, the re-ranked queries, and the model-free re-rankers."""

from __future__ import annotations

import factories

from crossrank.rerank.candidates import baseline_scores, candidates, chance_scores, split_reranker, subset_per_pair

RUN = {"q1": {f"d{i:03d}": 1000.0 - i for i in range(150)}, "q2": {"d001": 2.0, "d002": 1.0}}
QRELS = {"q1": {"d200": 2, "d201": 1, "d050": 0}, "q2": {"d002": 1}}


def test_inject_gold_puts_the_best_judged_missing_document_at_rank_k_exactly_once():
    chosen = candidates(RUN, QRELS, k=100, mode="inject_gold")
    assert len(chosen["q1"]) == 100 and chosen["q1"][:99] == [f"d{i:03d}" for i in range(99)]
    assert chosen["q1"][99] == "d200" and chosen["q1"].count("d200") == 1 and "d201" not in chosen["q1"]
    assert chosen["q2"] == ["d001", "d002"]  # the gold is already a candidate: nothing changes


def test_as_is_keeps_the_first_stages_top_k():
    chosen = candidates(RUN, QRELS, k=100, mode="as_is")
    assert chosen["q1"] == [f"d{i:03d}" for i in range(100)] and chosen["q2"] == ["d001", "d002"]
    short = candidates({"q1": {"d001": 1.0}}, QRELS, k=100, mode="inject_gold")
    assert short["q1"] == ["d001", "d200"]  # fewer than k candidates: the gold is added, nothing replaced


def test_the_baseline_keeps_the_first_stage_order_and_chance_is_seeded():
    chosen = {"q1": ["d3", "d1", "d2"]}
    baseline = baseline_scores(chosen)["q1"]
    assert sorted(baseline, key=baseline.get, reverse=True) == ["d3", "d1", "d2"]
    assert chance_scores(chosen, 1) == chance_scores(chosen, 1) != chance_scores(chosen, 2)


def test_the_re_ranked_queries_are_a_seeded_sample_per_language_pair_and_modes_are_named():
    topics = factories.numbered_topics([f"t{i}" for i in range(6)]) + factories.numbered_topics(["u"], "fr", "de", prefix="f")
    chosen = subset_per_pair(topics, 2, seed=3)
    assert len([t for t in chosen if t.query_lang == "en"]) == 2 and [t.qid for t in chosen if t.query_lang == "fr"] == ["f0"]
    assert chosen == subset_per_pair(topics, 2, seed=3) and subset_per_pair(topics, 0, seed=3) == topics
    assert split_reranker("minilm-hard-asis") == ("minilm-hard", "as_is") and split_reranker("chance") == ("chance", "inject_gold")
