"""Tests of crossrank.evaluate.metrics against hand computations and pytrec_eval called directly."""

from __future__ import annotations

import math
from collections import defaultdict

import factories
import ir_measures
import pytest
import pytrec_eval

from crossrank.core.errors import RunNameError
from crossrank.evaluate.metrics import (
    COLUMNS,
    evaluate_run,
    metrics_frame,
    parse_metric,
    read_metrics,
    top_label_qrels,
    write_metrics,
)

METRICS = ["recall@10", "recall@100", "ndcg@100"]

TOPICS = factories.topics(
    {
        "q1": ("en", "de", "graded"),
        "q2": ("en", "de", "deep"),
        "q3": ("fr", "de", "absent from the run"),
        "q4": ("fr", "de", "second"),
        "q5": ("fr", "de", "only non-relevant labels"),
        "q6": ("fr", "de", "perfect"),
    }
)

QRELS = factories.qrels(
    {
        # Graded: d1 is highly relevant (2), d2 relevant (1), d3 judged not relevant (0, never retrieved).
        "q1": {"d1": 2, "d2": 1, "d3": 0},
        # Two relevant documents, one at rank 1 and one at rank 13 (beyond the recall@10 cutoff).
        "q2": ["d5", "d50"],
        "q3": ["d4"],
        "q4": ["d6"],
        "q5": {"d1": 0},
        "q6": ["d10"],
    }
)

RUN = {
    "q1": {"d8": 3.0, "d2": 2.0, "d9": 1.5, "d1": 1.0},
    "q2": {"d5": 20.0, **{f"x{i:02d}": 19.0 - i for i in range(11)}, "d50": 1.0},
    "q4": {"d7": 2.0, "d6": 1.0},
    "q5": {"d1": 1.0},
    "q6": {"d10": 1.0},
}


def _log2(x: float) -> float:
    return math.log2(x)


# Hand computations (nDCG with linear gains: gain = label, discount log2(rank + 1)).
HAND = {
    "q1": {"recall@10": 1.0, "recall@100": 1.0, "ndcg@100": (1 / _log2(3) + 2 / _log2(5)) / (2 + 1 / _log2(3))},
    "q2": {"recall@10": 0.5, "recall@100": 1.0, "ndcg@100": (1 + 1 / _log2(14)) / (1 + 1 / _log2(3))},
    "q3": {"recall@10": 0.0, "recall@100": 0.0, "ndcg@100": 0.0},
    "q4": {"recall@10": 1.0, "recall@100": 1.0, "ndcg@100": 1 / _log2(3)},
    "q6": {"recall@10": 1.0, "recall@100": 1.0, "ndcg@100": 1.0},
}
PAIRS = {("en", "de"): ["q1", "q2"], ("fr", "de"): ["q3", "q4", "q6"]}


@pytest.fixture(scope="module")
def table() -> dict:
    return evaluate_run(RUN, QRELS, TOPICS, METRICS)


def test_q2_relevant_document_is_at_rank_13() -> None:
    ranked = sorted(RUN["q2"], key=lambda d: -RUN["q2"][d])
    assert ranked.index("d50") + 1 == 13


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("pair", list(PAIRS))
def test_pair_means_match_hand_computation(table: dict, pair: tuple[str, str], metric: str) -> None:
    qids = PAIRS[pair]
    value, n = table[(*pair, metric)]
    assert n == len(qids)
    assert value == pytest.approx(sum(HAND[q][metric] for q in qids) / len(qids), abs=1e-9)


def test_hand_values_spot_check(table: dict) -> None:
    assert table[("en", "de", "recall@10")][0] == pytest.approx(0.75)
    assert table[("en", "de", "recall@100")][0] == pytest.approx(1.0)
    assert table[("fr", "de", "recall@10")][0] == pytest.approx(2 / 3)


def test_pair_means_match_pytrec_eval_directly(table: dict) -> None:
    judged = {qid: rels for qid, rels in QRELS.items() if any(r >= 1 for r in rels.values())}
    names = {"recall@10": "recall_10", "recall@100": "recall_100", "ndcg@100": "ndcg_cut_100"}
    evaluator = pytrec_eval.RelevanceEvaluator(judged, set(names.values()))
    per_query = evaluator.evaluate({qid: docs for qid, docs in RUN.items() if qid in judged})
    values: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for topic in TOPICS:
        if topic.qid not in judged:
            continue
        for metric, trec_name in names.items():
            # trec_eval -c: a judged topic missing from the run scores 0.
            values[(topic.query_lang, topic.doc_lang, metric)].append(per_query.get(topic.qid, {}).get(trec_name, 0.0))
    for key, vals in values.items():
        assert table[key][0] == pytest.approx(sum(vals) / len(vals), abs=1e-9)
        assert table[key][1] == len(vals)


def test_ndcg_uses_linear_gain_not_exponential(table: dict) -> None:
    # With exponential gains (2^label - 1) q1 would score differently.
    exponential = (1 / _log2(3) + 3 / _log2(5)) / (3 + 1 / _log2(3))
    linear = HAND["q1"]["ndcg@100"]
    assert abs(exponential - linear) > 1e-3
    only_q1 = evaluate_run({"q1": RUN["q1"]}, {"q1": QRELS["q1"]}, [TOPICS[0]], ["ndcg@100"])
    assert only_q1[("en", "de", "ndcg@100")][0] == pytest.approx(linear, abs=1e-9)


def test_label_zero_is_not_relevant_for_recall() -> None:
    # If label 0 counted, q1 would have 3 relevant documents and recall 2/3.
    result = evaluate_run({"q1": RUN["q1"]}, {"q1": QRELS["q1"]}, [TOPICS[0]], ["recall@10"])
    assert result[("en", "de", "recall@10")][0] == pytest.approx(1.0)


def test_topic_without_relevant_document_is_not_counted(table: dict) -> None:
    # q5 has only label-0 judgements: it is not an evaluable query.
    assert table[("fr", "de", "recall@10")][1] == 3


def test_topic_absent_from_run_counts_as_zero(table: dict) -> None:
    without_q3 = evaluate_run(RUN, {k: v for k, v in QRELS.items() if k != "q3"}, TOPICS, ["recall@10"])
    assert without_q3[("fr", "de", "recall@10")] == (pytest.approx(1.0), 2)
    assert table[("fr", "de", "recall@10")] == (pytest.approx(2 / 3), 3)


def test_topic_with_empty_ranking_counts_as_zero() -> None:
    run = {**RUN, "q6": {}}
    result = evaluate_run(run, QRELS, TOPICS, ["recall@10"])
    assert result[("fr", "de", "recall@10")] == (pytest.approx(1 / 3), 3)


@pytest.mark.parametrize("metric", METRICS)
def test_macro_row_is_mean_of_pair_means(table: dict, metric: str) -> None:
    pair_means = [table[(*pair, metric)][0] for pair in PAIRS]
    value, n = table[("all", "all", metric)]
    assert value == pytest.approx(sum(pair_means) / len(pair_means), abs=1e-12)
    assert n == sum(table[(*pair, metric)][1] for pair in PAIRS) == 5


def test_macro_differs_from_micro_average(table: dict) -> None:
    micro = sum(HAND[q]["recall@10"] for qids in PAIRS.values() for q in qids) / 5
    assert table[("all", "all", "recall@10")][0] == pytest.approx((0.75 + 2 / 3) / 2)
    assert abs(table[("all", "all", "recall@10")][0] - micro) > 1e-3


def test_table_has_exactly_the_expected_keys(table: dict) -> None:
    expected = {(*pair, m) for pair in PAIRS for m in METRICS} | {("all", "all", m) for m in METRICS}
    assert set(table) == expected


def test_relevance_level_two() -> None:
    result = evaluate_run(RUN, QRELS, TOPICS, ["recall@10", "ndcg@100"], relevance_level=2)
    # Only q1 has a label >= 2; its one relevant document (d1) is at rank 4.
    assert set(result) == {("en", "de", "recall@10"), ("en", "de", "ndcg@100"), ("all", "all", "recall@10"), ("all", "all", "ndcg@100")}
    assert result[("en", "de", "recall@10")] == (pytest.approx(1.0), 1)
    # nDCG gains still use the labels themselves.
    assert result[("en", "de", "ndcg@100")][0] == pytest.approx(HAND["q1"]["ndcg@100"], abs=1e-9)


@pytest.mark.parametrize("name", ["foo@10", "recall@x", "recall@", "recall", "ndcg@-1", "Recall@10", "map@10"])
def test_parse_metric_rejects_unknown(name: str) -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        parse_metric(name, 1)


@pytest.mark.parametrize(
    ("name", "level", "expected"),
    [
        ("recall@100", 1, "R(rel=1)@100"),
        ("recall@10", 2, "R(rel=2)@10"),
        ("success@100", 1, "Success(rel=1)@100"),
        ("ndcg@100", 1, "nDCG@100"),
        ("precision@5", 1, "P(rel=1)@5"),
    ],
)
def test_parse_metric_accepts_contract_names(name: str, level: int, expected: str) -> None:
    assert parse_metric(name, level) == ir_measures.parse_measure(expected)


def test_evaluate_run_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match=r"^unknown metric 'foo@10'; use <recall\|success\|ndcg\|precision>@<cutoff>"):
        evaluate_run(RUN, QRELS, TOPICS, ["foo@10"])


def test_metrics_frame_refuses_a_malformed_run_name(table: dict) -> None:
    with pytest.raises(RunNameError, match="'bm25' is malformed"):
        metrics_frame("cldr", "bm25", table)


def test_metrics_frame_columns_and_rows(table: dict) -> None:
    frame = metrics_frame("cldr", "dense.minilm.original", table)
    assert list(frame.columns) == ["dataset", "run", "system", "condition", "query_lang", "doc_lang", "metric", "value", "n_queries"]
    assert list(frame.columns) == COLUMNS
    assert len(frame) == len(table)
    assert set(frame["system"]) == {"dense.minilm"}
    assert set(frame["condition"]) == {"original"}
    assert set(frame["dataset"]) == {"cldr"}
    # Sorted by metric, with the macro row first within each metric.
    assert list(frame["metric"]) == sorted(frame["metric"])
    for _, group in frame.groupby("metric", sort=False):
        assert group.iloc[0]["query_lang"] == "all"
    row = frame[(frame["metric"] == "recall@10") & (frame["query_lang"] == "fr")].iloc[0]
    assert row["value"] == pytest.approx(round(2 / 3, 6), abs=0)
    assert row["n_queries"] == 3


def test_write_then_read_metrics(tmp_path, table: dict) -> None:
    frame = metrics_frame("cldr", "bm25.original", table)
    path = tmp_path / "metrics.csv"
    write_metrics(str(path), frame)
    back = read_metrics([str(path)])
    assert list(back.columns) == COLUMNS
    assert (
        back[["query_lang", "doc_lang", "metric", "n_queries"]].values.tolist()
        == frame[["query_lang", "doc_lang", "metric", "n_queries"]].values.tolist()
    )
    assert back["value"].tolist() == pytest.approx(frame["value"].tolist(), abs=1e-6)


# Success (a hit rate) against recall, on queries with 0, 1 and 3 relevant documents.
HIT_TOPICS = factories.topics(
    {
        "none": ("en", "de", "no relevant document"),
        "one": ("en", "de", "one relevant, retrieved at rank 2"),
        "three": ("en", "de", "three relevant, one in the top 2"),
        "miss": ("en", "de", "one relevant, not retrieved"),
    }
)
HIT_QRELS = factories.qrels(
    {"none": {"d1": 0}, "one": ["d2"], "three": ["d1", "d7", "d8"], "miss": ["d9"]},
)
HIT_RUN = {
    "none": {"d1": 3.0, "d2": 2.0},
    "one": {"d1": 3.0, "d2": 2.0, "d3": 1.0},
    "three": {"d3": 4.0, "d1": 3.0, "d4": 2.0, "d7": 1.0},
    "miss": {"d1": 1.0},
}


def test_success_is_a_hit_rate_where_recall_is_a_share() -> None:
    table = evaluate_run(HIT_RUN, HIT_QRELS, HIT_TOPICS, ["success@2", "recall@2", "success@10", "recall@10"])
    # Counted by hand: "none" is not evaluated (no relevant document); at depth 2 "one" hits (1/1),
    # "three" hits with 1 of 3, "miss" scores 0; at depth 10 "three" has 2 of 3.
    assert table[("en", "de", "success@2")] == (pytest.approx(2 / 3), 3)
    assert table[("en", "de", "recall@2")] == (pytest.approx((1 + 1 / 3 + 0) / 3), 3)
    assert table[("en", "de", "success@10")] == (pytest.approx(2 / 3), 3)
    assert table[("en", "de", "recall@10")] == (pytest.approx((1 + 2 / 3 + 0) / 3), 3)


def test_success_matches_ir_measures_and_trec_eval() -> None:
    table = evaluate_run(HIT_RUN, HIT_QRELS, HIT_TOPICS, ["success@1", "success@5", "success@10"])
    judged = {q: HIT_QRELS[q] for q in ("one", "three", "miss")}
    for cutoff in (1, 5, 10):
        by_ir_measures = ir_measures.calc_aggregate([ir_measures.Success(rel=1) @ cutoff], judged, HIT_RUN)
        assert table[("en", "de", f"success@{cutoff}")][0] == pytest.approx(next(iter(by_ir_measures.values())))
        # trec_eval's success_{1,5,10}, through pytrec_eval directly.
        per_query = pytrec_eval.RelevanceEvaluator(judged, {"success"}).evaluate({q: HIT_RUN[q] for q in judged})
        trec = sum(values[f"success_{cutoff}"] for values in per_query.values()) / len(judged)
        assert table[("en", "de", f"success@{cutoff}")][0] == pytest.approx(trec)


# CLIRMatrix-style graded labels: each query's highest label is "the" relevant document.
GRADED_TOPICS = factories.topics({"a": ("en", "de", "one top document"), "b": ("en", "de", "two top documents"), "c": ("en", "de", "x")})
GRADED_QRELS = factories.qrels(
    {"a": {"d1": 6, "d2": 2, "d3": 1, "d4": 0}, "b": {"d5": 4, "d6": 4, "d7": 3}, "c": {"d8": 1, "d9": 0}},
)
GRADED_RUN = {"a": {"d2": 3.0, "d3": 2.0, "d9": 1.0}, "b": {"d5": 2.0, "d7": 1.0}, "c": {"d8": 1.0}}


def test_top_label_qrels_keep_only_each_querys_highest_label() -> None:
    binary = top_label_qrels(GRADED_QRELS)
    relevant = {qid: sorted(doc for doc, label in judged.items() if label) for qid, judged in binary.items()}
    # The count of relevant documents per query is the number of its top-labelled documents.
    assert relevant == {"a": ["d1"], "b": ["d5", "d6"], "c": ["d8"]}
    assert top_label_qrels({"q": {"d": 0}}) == {"q": {"d": 0}}  # no label reaches the level: nothing relevant


def test_top_relevance_counts_top_labels_for_binary_measures_and_keeps_graded_ndcg() -> None:
    metrics = ["recall@10", "success@10", "ndcg@10"]
    threshold = evaluate_run(GRADED_RUN, GRADED_QRELS, GRADED_TOPICS, metrics)
    top = evaluate_run(GRADED_RUN, GRADED_QRELS, GRADED_TOPICS, metrics, relevance="top")
    # threshold: a 2/3, b 2/3, c 1 retrieved of their relevant documents; all three hit.
    assert threshold[("en", "de", "recall@10")][0] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert threshold[("en", "de", "success@10")][0] == pytest.approx(1.0)
    # top: a misses its label-6 document, b finds one of its two label-4 documents, c hits.
    assert top[("en", "de", "recall@10")][0] == pytest.approx((0 + 1 / 2 + 1) / 3)
    assert top[("en", "de", "success@10")][0] == pytest.approx(2 / 3)
    assert top[("en", "de", "ndcg@10")] == threshold[("en", "de", "ndcg@10")]
    assert top[("all", "all", "success@10")][1] == 3


def test_unknown_relevance_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown relevance mode 'best'; use one of threshold, top"):
        evaluate_run(GRADED_RUN, GRADED_QRELS, GRADED_TOPICS, ["recall@10"], relevance="best")
