"""Tests of crossrank.report.findings: each finding is supported, not supported or not applicable as its numbers say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crossrank.core.run_name import RunName
from crossrank.evaluate.metrics import COLUMNS, QUERY_COLUMNS
from crossrank.report.findings import (
    NOT_APPLICABLE,
    NOT_SUPPORTED,
    SUPPORTED,
    Evidence,
    bm25_correlates_with_proximity_more,
    dense_beats_bm25,
    dense_gain_little_from_translation,
    dense_prefers_query_language,
    hard_negatives_beat_easy,
    hnsw_costs_little_and_is_slower,
    qd_helps_weak_encoder_more,
    translation_helps_bm25_for_english,
    verdicts,
)

PAIRS = [("en", "de"), ("en", "fr"), ("de", "fr"), ("fr", "de")]
QUERIES_PER_PAIR = 40
TESTS = {"resamples": 2000, "bootstrap_resamples": 500, "seed": 0}


def _evidence(levels: dict[str, dict[tuple[str, str], float]], metric: str = "recall@100", **frames: pd.DataFrame) -> Evidence:
    """Evidence of runs whose per-query values are 0/1 with the given success rate per pair (seeded, exact rates)."""
    rng = np.random.default_rng(0)
    query_rows, metric_rows = [], []
    for run, rates in levels.items():
        parsed = RunName.parse(run)
        pair_means = []
        for q, d in PAIRS:
            rate = rates.get((q, d), rates.get(("*", "*"), 0.0))
            hits = round(rate * QUERIES_PER_PAIR)
            values = np.array([1.0] * hits + [0.0] * (QUERIES_PER_PAIR - hits))
            rng.shuffle(values)
            for i, value in enumerate(values):
                query_rows.append(("d", run, f"{q}{d}{i}", q, d, metric, float(value)))
            metric_rows.append(("d", run, parsed.retriever, parsed.condition, q, d, metric, values.mean(), QUERIES_PER_PAIR))
            pair_means.append(values.mean())
        metric_rows.append(("d", run, parsed.retriever, parsed.condition, "all", "all", metric, float(np.mean(pair_means)), 160))
    empty = pd.DataFrame()
    return Evidence(
        datasets=["d"],
        metrics=pd.DataFrame(metric_rows, columns=COLUMNS),
        queries=pd.DataFrame(query_rows, columns=QUERY_COLUMNS),
        significance=empty,
        linguistic=frames.get("linguistic", empty),
        bias=frames.get("bias", empty),
        efficiency=frames.get("efficiency", empty),
        metric=metric,
        rerank_metric=metric,
        test_settings=TESTS,
    )


def test_translation_helping_english_queries_only_supports_finding_1():
    evidence = _evidence(
        {
            "bm25.original": {("*", "*"): 0.1},
            "bm25.translated": {("en", "de"): 0.9, ("en", "fr"): 0.9, ("de", "fr"): 0.1, ("fr", "de"): 0.1},
        }
    )
    verdict, text = translation_helps_bm25_for_english(evidence, "d")
    assert verdict == SUPPORTED
    assert "English queries: +80.0" in text and "other queries: +0.0" in text


def test_translation_helping_every_query_alike_does_not_support_finding_1():
    evidence = _evidence({"bm25.original": {("*", "*"): 0.1}, "bm25.translated": {("*", "*"): 0.6}})
    assert translation_helps_bm25_for_english(evidence, "d")[0] == NOT_SUPPORTED


def test_without_translated_runs_finding_1_is_not_applicable_and_names_the_setting():
    verdict, text = translation_helps_bm25_for_english(_evidence({"bm25.original": {("*", "*"): 0.1}}), "d")
    assert verdict == NOT_APPLICABLE and "conditions" in text


def test_a_large_dense_gain_from_translation_does_not_support_finding_2():
    small = _evidence({"dense.a.original": {("*", "*"): 0.5}, "dense.a.translated": {("*", "*"): 0.525}})
    large = _evidence({"dense.a.original": {("*", "*"): 0.3}, "dense.a.translated": {("*", "*"): 0.6}})
    assert dense_gain_little_from_translation(small, "d")[0] == SUPPORTED
    assert dense_gain_little_from_translation(large, "d")[0] == NOT_SUPPORTED


def test_qd_fine_tuning_helping_the_weak_encoder_far_more_supports_finding_3():
    runs = {
        "dense.weak.original": {("*", "*"): 0.1},
        "dense.weak+qd.original": {("*", "*"): 0.6},
        "dense.strong.original": {("*", "*"): 0.8},
        "dense.strong+qd.original": {("*", "*"): 0.825},
    }
    verdict, text = qd_helps_weak_encoder_more(_evidence(runs), "d")
    assert verdict == SUPPORTED and text.index("weak") < text.index("strong")
    runs["dense.strong+qd.original"] = {("*", "*"): 1.0}
    runs["dense.weak+qd.original"] = {("*", "*"): 0.2}
    assert qd_helps_weak_encoder_more(_evidence(runs), "d")[0] == NOT_SUPPORTED


def test_one_fine_tuned_encoder_leaves_finding_3_not_applicable():
    runs = {"dense.a.original": {("*", "*"): 0.1}, "dense.a+qd.original": {("*", "*"): 0.6}}
    verdict, text = qd_helps_weak_encoder_more(_evidence(runs), "d")
    assert verdict == NOT_APPLICABLE and "finetune.encoders" in text


def test_hard_negatives_significantly_better_support_finding_4_and_equal_ones_do_not():
    better = {"rerank.m-hard.bm25.original": {("*", "*"): 0.7}, "rerank.m-easy.bm25.original": {("*", "*"): 0.3}}
    assert hard_negatives_beat_easy(_evidence(better), "d")[0] == SUPPORTED
    equal = {"rerank.m-hard.bm25.original": {("*", "*"): 0.5}, "rerank.m-easy.bm25.original": {("*", "*"): 0.5}}
    assert hard_negatives_beat_easy(_evidence(equal), "d")[0] == NOT_SUPPORTED
    assert hard_negatives_beat_easy(_evidence({"bm25.original": {("*", "*"): 0.1}}), "d")[0] == NOT_APPLICABLE


def _efficiency(exact_faster_at_small: bool) -> pd.DataFrame:
    rows = []
    for size, exact_qps, hnsw_qps in [(1000, 100.0, 50.0 if exact_faster_at_small else 200.0), (100000, 10.0, 90.0)]:
        rows.append({"size": size, "method": "exact", "ef": np.nan, "qps_batched": exact_qps, "qps_batch1": exact_qps, "k": 100})
        rows.append({"size": size, "method": "hnsw", "ef": 200.0, "qps_batched": hnsw_qps, "qps_batch1": hnsw_qps, "k": 100})
    return pd.DataFrame(rows)


def test_hnsw_finding_needs_a_small_loss_and_exact_search_faster_below_the_crossover():
    runs = {"dense.a.original": {("*", "*"): 0.5}, "ann.a.original": {("*", "*"): 0.475}}
    assert hnsw_costs_little_and_is_slower(_evidence(runs, efficiency=_efficiency(True)), "d")[0] == SUPPORTED
    assert hnsw_costs_little_and_is_slower(_evidence(runs, efficiency=_efficiency(False)), "d")[0] == NOT_SUPPORTED
    lossy = {"dense.a.original": {("*", "*"): 0.5}, "ann.a.original": {("*", "*"): 0.3}}
    assert hnsw_costs_little_and_is_slower(_evidence(lossy, efficiency=_efficiency(True)), "d")[0] == NOT_SUPPORTED
    verdict, text = hnsw_costs_little_and_is_slower(_evidence(runs), "d")
    assert verdict == NOT_APPLICABLE and "efficiency.enabled" in text


def _linguistic(bm25: list[float], dense: list[float]) -> pd.DataFrame:
    rows = []
    for run, values in (("bm25.original", bm25), ("dense.a.original", dense)):
        for feature, rho in zip(("geographic", "syntax", "genealogical"), values, strict=True):
            rows.append({"dataset": "d", "run": run, "feature": feature, "spearman": rho, "p_value": 0.01, "n_pairs": 56})
    return pd.DataFrame(rows)


def test_bm25_correlating_more_on_most_proximity_features_supports_finding_6():
    runs = {"bm25.original": {("*", "*"): 0.1}, "dense.a.original": {("*", "*"): 0.5}}
    assert (
        bm25_correlates_with_proximity_more(_evidence(runs, linguistic=_linguistic([0.8, 0.7, 0.1], [0.5, 0.6, 0.7])), "d")[0] == SUPPORTED
    )
    verdict, text = bm25_correlates_with_proximity_more(_evidence(runs, linguistic=_linguistic([0.8, 0.1, 0.1], [0.5, 0.6, 0.7])), "d")
    assert verdict == NOT_SUPPORTED and "BM25 higher on 1 of 3" in text


def test_same_language_share_above_the_pools_supports_finding_7():
    runs = {"dense.a.original": {("*", "*"): 0.5}}
    biased = pd.DataFrame([{"dataset": "d", "run": "dense.a.original", "same-language %": 60.0, "uniform %": 25.0}])
    uniform = biased.assign(**{"same-language %": 26.0})
    assert dense_prefers_query_language(_evidence(runs, bias=biased), "d")[0] == SUPPORTED
    assert dense_prefers_query_language(_evidence(runs, bias=uniform), "d")[0] == NOT_SUPPORTED


def test_the_best_dense_run_beating_bm25_on_every_condition_supports_finding_8():
    runs = {
        "bm25.original": {("*", "*"): 0.1},
        "bm25.translated": {("*", "*"): 0.3},
        "dense.a.original": {("*", "*"): 0.6},
        "dense.a.translated": {("*", "*"): 0.7},
    }
    assert dense_beats_bm25(_evidence(runs), "d")[0] == SUPPORTED
    runs["dense.a.translated"] = {("*", "*"): 0.3}
    assert dense_beats_bm25(_evidence(runs), "d")[0] == NOT_SUPPORTED


@pytest.mark.parametrize("number", range(1, 9))
def test_every_finding_is_decided_on_every_dataset_even_with_bm25_only(number: int):
    found = [v for v in verdicts(_evidence({"bm25.original": {("*", "*"): 0.1}})) if v.number == number]
    assert len(found) == 1 and found[0].verdict in (SUPPORTED, NOT_SUPPORTED, NOT_APPLICABLE) and found[0].evidence


def test_finding_2_takes_table_3s_own_test_from_the_significance_table_where_it_has_one():
    from dataclasses import replace

    from crossrank.report.significance_table import COLUMNS as SIGNIFICANCE_COLUMNS

    small = _evidence({"dense.a.original": {("*", "*"): 0.5}, "dense.a.translated": {("*", "*"): 0.525}})
    row = dict.fromkeys(SIGNIFICANCE_COLUMNS, 0.0)
    row |= {"table": "table3", "dataset": "d", "run": "dense.a.translated", "baseline": "dense.a.original", "metric": "recall@100"}
    row |= {"difference": 0.3, "difference_low": 0.2, "difference_high": 0.4, "p_randomization_holm": 0.001, "significant": "True"}
    verdict, text = dense_gain_little_from_translation(replace(small, significance=pd.DataFrame([row])), "d")
    assert verdict == NOT_SUPPORTED and "+30.0 [+20.0, +40.0], p = 0.0010 (significant)" in text  # the table's numbers, not recomputed
