"""Tests of crossrank.bm25.steps: index a documents file, search a topics file, and the run file they leave."""

from __future__ import annotations

import math
from pathlib import Path

import factories
import pytest

from crossrank.bm25 import steps
from crossrank.bm25.index import Bm25Index, Bm25Settings
from crossrank.core.runs import read_run

SETTINGS = factories.BM25_SETTINGS

# Lengths 3, 2, 2, 1 (mean 2). "cat" is in d0 (3 times, "cats" stems to "cat") and d1; "dog" in d1 and d2.
DOCUMENTS = factories.numbered_documents(["cats cat cat", "cat dog", "dog bird", "fish"])
TOPICS = factories.topics(
    [
        ("q1", "en", "en", "cat"),
        ("q2", "en", "en", "cat dog"),
        ("q3", "en", "en", "zebra"),  # no document shares a term
    ]
)


def _lucene(tf: int, length: int, df: int, n: int = 4, mean_length: float = 2.0) -> float:
    """bm25s's ``lucene`` score of one term (its tf component has no (k1 + 1) factor)."""
    norm = 1 - SETTINGS["b"] + SETTINGS["b"] * length / mean_length
    return math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf / (tf + SETTINGS["k1"] * norm)


def _index(tmp_path: Path, settings: dict = SETTINGS) -> str:
    documents = factories.write_documents_file(tmp_path / "documents.original.tsv", DOCUMENTS)
    out = str(tmp_path / "index")
    steps.bm25_index(str(documents), settings, out)
    return out


def _search(tmp_path: Path, index: str, top_k: int = 10, settings: dict = SETTINGS) -> list[list[str]]:
    topics = factories.write_contract(tmp_path, topics=TOPICS)["topics"]
    out = tmp_path / "runs" / "bm25.original.trec"
    steps.bm25_search(index, str(topics), settings, top_k, "bm25.original", str(out))
    return [line.split(" ") for line in out.read_text(encoding="utf-8").splitlines()]


def test_the_index_keeps_the_documents_file_order_and_the_settings(tmp_path):
    settings = {**SETTINGS, "backend": "rank_bm25", "variant": "okapi", "k1": 1.5}
    index = Bm25Index.load(_index(tmp_path, settings))
    assert index.docids == ["d0", "d1", "d2", "d3"]
    assert index.settings == Bm25Settings(backend="rank_bm25", variant="okapi", k1=1.5, b=0.75, delta=0.5, epsilon=0.25)


def test_the_run_file_has_rank_score_and_tag_columns(tmp_path):
    rows = _search(tmp_path, _index(tmp_path))
    q1 = [row for row in rows if row[0] == "q1"]
    assert [(qid, q0, docid, rank, tag) for qid, q0, docid, rank, _, tag in q1] == [
        ("q1", "Q0", "d0", "1", "bm25.original"),
        ("q1", "Q0", "d1", "2", "bm25.original"),
    ]
    assert float(q1[0][4]) == pytest.approx(_lucene(tf=3, length=3, df=2), abs=1e-5)
    assert float(q1[1][4]) == pytest.approx(_lucene(tf=1, length=2, df=2), abs=1e-5)
    assert all(len(row[4].split(".")[1]) == 6 for row in rows)  # six decimals


def test_only_documents_scoring_above_zero_are_retrieved(tmp_path):
    rows = _search(tmp_path, _index(tmp_path))
    retrieved = {}
    for qid, _, docid, _, score, _ in rows:
        retrieved.setdefault(qid, []).append(docid)
        assert float(score) > 0
    assert retrieved == {"q1": ["d0", "d1"], "q2": ["d1", "d0", "d2"]}  # q3 ("zebra") retrieves nothing; d3 never matches


def test_top_k_cuts_each_ranking(tmp_path):
    rows = _search(tmp_path, _index(tmp_path), top_k=2)
    assert [(qid, docid, rank) for qid, _, docid, rank, _, _ in rows] == [
        ("q1", "d0", "1"),
        ("q1", "d1", "2"),
        ("q2", "d1", "1"),
        ("q2", "d0", "2"),
    ]


def test_queries_are_analyzed_with_the_settings_analyzer(tmp_path):
    unstemmed = {**SETTINGS, "analyzer": {"stem": False, "cjk_ngram": 2}}
    topics = factories.write_contract(tmp_path, topics=factories.topics([("q1", "en", "en", "cats")]))["topics"]
    out = tmp_path / "run.trec"
    steps.bm25_search(_index(tmp_path, unstemmed), str(topics), unstemmed, 10, "bm25.original", str(out))
    assert list(read_run(out)["q1"]) == ["d0"]  # without stemming "cats" matches only itself, not "cat"
