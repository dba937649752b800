"""Tests of crossrank.core.runs: trec_eval-order top-k and TREC run files."""

from __future__ import annotations

import numpy as np
import pytest
import pytrec_eval

from crossrank.core.errors import InputError
from crossrank.core.runs import DocidOrder, read_run, top_k, write_run


def _trec_eval_rank(scores: dict[str, float], docid: str) -> int:
    """The rank trec_eval gives ``docid``: 1 / its reciprocal rank when it is the only relevant document."""
    evaluator = pytrec_eval.RelevanceEvaluator({"q": {docid: 1}}, {"recip_rank"})
    rr = evaluator.evaluate({"q": scores})["q"]["recip_rank"]
    return round(1 / rr)


def test_ties_broken_by_docid_in_descending_byte_order() -> None:
    docids = ["a", "B", "b", "c10", "c9", "é", "z"]
    ranking = top_k(np.ones(len(docids)), len(docids), DocidOrder(docids))
    # Byte order: "B" (0x42) < "a" < "b" < "c10" < "c9" < "z" < "é" (0xC3 0xA9); descending here.
    assert [docid for docid, _ in ranking] == ["é", "z", "c9", "c10", "b", "a", "B"]


def test_scores_descending_before_docids() -> None:
    docids = ["a", "b", "c", "d"]
    ranking = top_k(np.array([0.5, 2.0, 0.5, 1.0]), 4, DocidOrder(docids))
    assert ranking == [("b", 2.0), ("d", 1.0), ("c", 0.5), ("a", 0.5)]


@pytest.mark.parametrize("relevant", ["a", "b"])
def test_top_tie_order_agrees_with_pytrec_eval_p_at_1(relevant: str) -> None:
    """Two documents tie at the top and one is relevant: P@1 says which one trec_eval put first."""
    docids = ["a", "b", "c"]
    scores = np.array([3.0, 3.0, 1.0])
    ranking = top_k(scores, 3, DocidOrder(docids))
    run = {"q": {docid: float(score) for docid, score in zip(docids, scores, strict=True)}}
    evaluator = pytrec_eval.RelevanceEvaluator({"q": {relevant: 1}}, {"P_1", "recip_rank"})
    result = evaluator.evaluate(run)["q"]
    our_rank = [docid for docid, _ in ranking].index(relevant) + 1
    assert result["P_1"] == (1.0 if our_rank == 1 else 0.0)
    assert round(1 / result["recip_rank"]) == our_rank
    # And the order is not arbitrary: "b" > "a" in byte order, so "b" comes first.
    assert ranking[0][0] == "b"


def test_full_tie_order_agrees_with_trec_eval() -> None:
    """Every document's rank in a run with several tie groups equals trec_eval's rank."""
    docids = ["D10", "D9", "d1", "D1", "x", "Zeta", "äpfel", "apple", "D2"]
    scores = np.array([2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 5.0, 5.0, 0.5])
    ranking = top_k(scores, len(docids), DocidOrder(docids))
    ours = {docid: rank for rank, (docid, _) in enumerate(ranking, start=1)}
    run = dict(zip(docids, scores.tolist(), strict=True))
    assert ours == {docid: _trec_eval_rank(run, docid) for docid in docids}


def test_scores_equal_after_rounding_tie() -> None:
    # Floating-point noise below 1e-6 must not reorder documents: they tie and docid decides.
    docids = ["a", "b"]
    ranking = top_k(np.array([1.0 + 1e-9, 1.0]), 2, DocidOrder(docids))
    assert [docid for docid, _ in ranking] == ["b", "a"]
    assert ranking[0][1] == ranking[1][1] == 1.0


def test_top_k_keeps_at_most_k_and_the_best() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random(50)
    docids = [f"doc{i:02d}" for i in range(50)]
    ranking = top_k(scores, 7, DocidOrder(docids))
    assert len(ranking) == 7
    best = np.argsort(-scores)[:7]
    assert [docid for docid, _ in ranking] == [docids[i] for i in best]


def test_top_k_with_ties_at_the_cutoff_uses_docid_order() -> None:
    docids = ["a", "b", "c", "d"]
    ranking = top_k(np.array([1.0, 1.0, 1.0, 2.0]), 2, DocidOrder(docids))
    assert ranking == [("d", 2.0), ("c", 1.0)]


def test_positive_only_drops_non_positive_scores() -> None:
    docids = ["a", "b", "c", "d", "e"]
    scores = np.array([0.0, -1.0, 0.3, 4e-7, 2.0])  # 4e-7 rounds to 0 at 6 decimals
    assert top_k(scores, 10, DocidOrder(docids), positive_only=True) == [("e", 2.0), ("c", 0.3)]
    assert len(top_k(scores, 10, DocidOrder(docids))) == 5


def test_positive_only_with_nothing_positive_is_empty() -> None:
    assert top_k(np.zeros(3), 2, DocidOrder(["a", "b", "c"]), positive_only=True) == []


def test_indices_map_candidate_scores_to_documents() -> None:
    docids = ["a", "b", "c", "d", "e"]
    order = DocidOrder(docids)
    candidate_scores = np.array([0.2, 0.9, 0.9, -0.5])
    candidates = np.array([4, 0, 2, 1])  # scores of e, a, c, b
    ranking = top_k(candidate_scores, 3, order, indices=candidates)
    assert ranking == [("c", 0.9), ("a", 0.9), ("e", 0.2)]
    assert top_k(candidate_scores, 10, order, positive_only=True, indices=candidates) == [("c", 0.9), ("a", 0.9), ("e", 0.2)]


def test_indices_give_the_same_result_as_the_full_vector() -> None:
    rng = np.random.default_rng(1)
    docids = [f"d{i}" for i in range(30)]
    order = DocidOrder(docids)
    scores = np.round(rng.random(30), 1)  # many ties
    candidates = np.flatnonzero(scores >= 0.5)
    assert top_k(scores[candidates], 5, order, indices=candidates) == top_k(scores, 5, order)


RANKINGS = {
    "q2": [("docB", 2.5), ("docA", 1.25)],
    "q1": [("docZ", 0.123456789), ("docY", 0.1), ("docX", -0.5)],
    "q10": [("docA", 3.0)],
}


def test_write_run_format_and_ranks_start_at_one(tmp_path) -> None:
    path = tmp_path / "run.txt"
    write_run(path, RANKINGS, tag="bm25.original")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "q1 Q0 docZ 1 0.123457 bm25.original",
        "q1 Q0 docY 2 0.100000 bm25.original",
        "q1 Q0 docX 3 -0.500000 bm25.original",
        "q10 Q0 docA 1 3.000000 bm25.original",
        "q2 Q0 docB 1 2.500000 bm25.original",
        "q2 Q0 docA 2 1.250000 bm25.original",
    ]


def test_write_read_round_trip(tmp_path) -> None:
    path = tmp_path / "run.txt"
    write_run(path, RANKINGS, tag="t")
    assert read_run(path) == {
        "q1": {"docZ": 0.123457, "docY": 0.1, "docX": -0.5},
        "q10": {"docA": 3.0},
        "q2": {"docB": 2.5, "docA": 1.25},
    }


def test_write_run_is_byte_stable(tmp_path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    write_run(first, RANKINGS, tag="t")
    write_run(second, dict(reversed(list(RANKINGS.items()))), tag="t")
    assert first.read_bytes() == second.read_bytes()
    assert b"\r" not in first.read_bytes()


def test_write_run_leaves_no_temporary_file(tmp_path) -> None:
    write_run(tmp_path / "run.txt", RANKINGS, tag="t")
    assert [p.name for p in tmp_path.iterdir()] == ["run.txt"]


def test_read_run_skips_blank_lines(tmp_path) -> None:
    path = tmp_path / "run.txt"
    path.write_text("q1 Q0 d1 1 2.0 t\n\n   \nq1 Q0 d2 2 1.0 t\n", encoding="utf-8")
    assert read_run(path) == {"q1": {"d1": 2.0, "d2": 1.0}}


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("q1 Q0 d1 1 2.0 t\nq1 Q0 d2 2 1.0\n", 2, "6 fields"),
        ("q1 Q0 d1 1 2.0 t\n\nq1 Q0 d2 2 1.0 t extra\n", 3, "6 fields"),
        ("q1 Q0 d1 1 high t\n", 1, "not a number"),
    ],
)
def test_read_run_reports_malformed_line(tmp_path, body: str, line: int, needle: str) -> None:
    path = tmp_path / "broken.run"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_run(path)
    message = str(info.value)
    assert "broken.run" in message
    assert f":{line}" in message
    assert f"{path}:{line}:" in message
    assert needle in message
    assert info.value.line == line
