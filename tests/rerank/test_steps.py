"""Tests of crossrank.rerank.steps.rerank_pairs: the paper's CSVs and the record of where the negatives came from."""

from __future__ import annotations

import json
from pathlib import Path

import factories

from crossrank.core.io import write_tsv
from crossrank.rerank import steps
from crossrank.rerank.negatives import read_examples

SETTINGS = {"negatives_per_positive": 1, "seed": 42, "max_train_queries": 0, "validation_fraction": 0.1}
BM25 = factories.BM25_SETTINGS


def _training_side(tmp_path: Path) -> tuple[str, str]:
    pairs = [(f"de-en-{i}", "en", f"question {i} about the river", "en", f"River answer number {i}.") for i in range(12)]
    candidates = [(f"de-en-{i}", rank, "en", f"Listed candidate {i}.{rank}.") for i in range(12) for rank in (1, 2)]
    write_tsv(tmp_path / "query_documents.tsv", pairs, header=("id", "query_lang", "query", "doc_lang", "document"))
    write_tsv(tmp_path / "candidates.tsv", candidates, header=("id", "rank", "doc_lang", "document"))
    return str(tmp_path / "query_documents.tsv"), str(tmp_path / "candidates.tsv")


def _run(tmp_path: Path, negatives: str, hard: dict) -> tuple[list, dict]:
    pairs, candidates = _training_side(tmp_path)
    out = [str(tmp_path / f"{negatives}.{name}") for name in ("train.csv", "validation.csv", "json")]
    steps.rerank_pairs(pairs, candidates, negatives, SETTINGS, hard, *out, embedding_cache=str(tmp_path / "cache"))
    rows = read_examples(out[0]) + read_examples(out[1])
    return rows, json.loads(Path(out[2]).read_text())


def test_release_hard_negatives_are_each_querys_first_listed_candidate_and_recorded(tmp_path):
    rows, record = _run(tmp_path, "hard", {"source": "release"})
    negatives = sorted(row.document for row in rows if row.label == 0)
    assert negatives == sorted(f"Listed candidate {i}.1." for i in range(12))
    assert record == {
        "negatives": "hard",
        "source": "release",
        "positives": 12,
        "negatives_found": 12,
        "negatives_wanted": 12,
        "training_examples": 22,
        "validation_examples": 2,
    }


def test_retriever_hard_negatives_and_easy_ones_never_read_the_release_lists(tmp_path):
    rows, record = _run(tmp_path, "hard", {"source": "retriever", "retriever": "bm25", "bm25": BM25})
    assert record["source"] == "retriever:bm25" and record["negatives_found"] == 12
    assert not [row for row in rows if row.document.startswith("Listed")]
    rows, record = _run(tmp_path, "easy", {})
    assert record["source"] == "random" and not [row for row in rows if row.document.startswith("Listed")]
