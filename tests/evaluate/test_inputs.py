"""Tests of crossrank.evaluate.inputs: damaged contract files stop the evaluation with the file, line and fix."""

from __future__ import annotations

from pathlib import Path

import factories
import pytest

from crossrank.core.errors import InputError
from crossrank.evaluate.inputs import checked_inputs

TOPICS = factories.topics({"q1": ("en", "de", "first"), "q2": ("en", "de", "second")})
POOL = {"d1": "de", "d2": "de", "d3": "de"}
QRELS = {"q1": {"d1": 1}, "q2": {"d2": 1}}
RUN = {"q1": {"d1": 2.0, "d3": 1.0}, "q2": {"d3": 1.0}}


def _paths(tmp_path: Path, topics=TOPICS, qrels=QRELS, pool=POOL, run=RUN) -> tuple[str, str, str, str]:
    files = factories.write_contract(tmp_path, topics=topics, qrels=qrels, docs_table=pool)
    run_file = factories.write_run_file(tmp_path / "bm25.original.trec", run, tag="bm25.original")
    return str(run_file), str(files["qrels"]), str(files["topics"]), str(files["docs"])


def test_consistent_inputs_come_back_as_read(tmp_path: Path):
    run, qrels, topics = checked_inputs(*_paths(tmp_path))
    assert run == RUN and qrels == QRELS and [t.qid for t in topics] == ["q1", "q2"]


def test_qrels_cut_short_are_refused_instead_of_dropping_queries(tmp_path: Path):
    with pytest.raises(InputError, match=r"qrels\.tsv: 1 of 2 topics .* have no judgment \(first: 'q2'\).*Fix: re-run"):
        checked_inputs(*_paths(tmp_path, qrels={"q1": {"d1": 1}}))


def test_a_judged_document_outside_the_pool_is_refused_with_its_line(tmp_path: Path):
    with pytest.raises(InputError, match=r"qrels\.tsv:2: query 'q2' judges document 'd7', which is not in the pool"):
        checked_inputs(*_paths(tmp_path, qrels={"q1": {"d1": 1}, "q2": {"d7": 1}}))


def test_a_run_naming_an_unknown_document_is_refused_with_its_line(tmp_path: Path):
    with pytest.raises(InputError, match=r"bm25\.original\.trec:3: 1 retrieved document\(s\) are not in the pool .*'dx'"):
        checked_inputs(*_paths(tmp_path, run={"q1": {"d1": 2.0, "d3": 1.0}, "q2": {"dx": 1.0}}))


@pytest.mark.parametrize(("part", "message"), [("qrels", "no relevance judgments"), ("topics", "no topics"), ("pool", "pool is empty")])
def test_an_empty_contract_file_is_one_clear_error(tmp_path: Path, part: str, message: str):
    kwargs = {"qrels": {}, "topics": [], "pool": {}}
    with pytest.raises(InputError, match=message):
        checked_inputs(*_paths(tmp_path, **{part: kwargs[part]}))
