"""Seeded per-pair sampling and even language assignment (crossrank.prepare.sampling)."""

from __future__ import annotations

import logging
from collections import Counter

from crossrank.prepare.sampling import PairSampler, assign_evenly, sample_ids, seeded_rng


def test_generators_depend_on_seed_and_scope_only():
    assert seeded_rng(1, "test", "de", "ja").random() == seeded_rng(1, "test", "de", "ja").random()
    assert seeded_rng(1, "test", "de", "ja").random() != seeded_rng(1, "test", "ja", "de").random()
    assert seeded_rng(1, "test", "de", "ja").random() != seeded_rng(2, "test", "de", "ja").random()


def test_sample_is_sorted_uniform_and_independent_of_input_order():
    ids = [str(i) for i in range(100)]
    first = sample_ids(ids, 10, seeded_rng(0, "x"))
    assert first == sorted(first) and len(set(first)) == 10
    assert sample_ids(reversed(ids), 10, seeded_rng(0, "x")) == first
    assert sample_ids(ids, 10, seeded_rng(1, "x")) != first
    assert sample_ids(ids, 0, seeded_rng(0, "x")) == sorted(ids)  # 0 takes all
    assert sample_ids(ids[:5], 10, seeded_rng(0, "x")) == sorted(ids[:5])


def test_even_assignment_balances_items_and_keeps_groups_together():
    groups = [[str(i)] for i in range(7433)] + [["a", "b"], ["c", "d", "e"]]
    languages = ["ar", "de", "en", "es", "fr", "hi", "id", "it", "ja", "nl", "pt", "ru", "vi", "zh"]
    assignment = assign_evenly(groups, languages, seeded_rng(2025, "assign"))
    counts = Counter(assignment.values())
    assert max(counts.values()) - min(counts.values()) <= 1
    assert assignment["a"] == assignment["b"] and len({assignment[x] for x in "cde"}) == 1
    assert assign_evenly(list(reversed(groups)), languages, seeded_rng(2025, "assign")) == assignment
    assert assign_evenly(groups, languages, seeded_rng(7, "assign")) != assignment


def test_singletons_split_530_531_like_the_paper():
    counts = Counter(assign_evenly([[str(i)] for i in range(7433)], list("abcdefghijklmn"), seeded_rng(0, "a")).values())
    assert sorted(set(counts.values())) == [530, 531]


def test_sampler_warns_and_records_a_shortfall(caplog):
    sampler = PairSampler("demo", seed=3, requested=5)
    with caplog.at_level(logging.WARNING):
        full = sampler.draw("de", "ja", [str(i) for i in range(20)])
        short = sampler.draw("ja", "de", ["1", "2", "3"])
    assert len(full) == 5 and short == ["1", "2", "3"]
    assert "demo: pair ja-de has 3 usable queries, fewer than the 5 requested" in caplog.text
    rows = sampler.statistics()
    assert ("requested_queries", "per_pair", 5) in rows
    assert ("available_queries", "de-ja", 20) in rows and ("available_queries", "ja-de", 3) in rows
    assert [r for r in rows if r[0] == "shortfall_queries"] == [("shortfall_queries", "ja-de", 2)]


def test_pairs_draw_independently():
    ids = [str(i) for i in range(50)]
    a, b = PairSampler("d", 1, 5), PairSampler("d", 1, 5)
    a.draw("en", "fr", ids)
    assert a.draw("de", "ja", ids) == b.draw("de", "ja", ids)  # a pair's draw ignores what was drawn before
    assert a.draw("de", "ja", ids) != a.draw("ja", "de", ids)
