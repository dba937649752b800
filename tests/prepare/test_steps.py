"""Tests of crossrank.prepare.steps: released datasets to the results contract, all files or none."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from releases import write_clirmatrix, write_mmarco

from crossrank.core import contract, layout
from crossrank.core.errors import InputError
from crossrank.prepare import steps

LANGUAGES = ["de", "en", "ja"]


def _outputs(root: Path, dataset: str, oracle: bool = False) -> dict[str, str]:
    names = {
        "documents": layout.fill(layout.DOCUMENTS, dataset=dataset, condition="original"),
        "queries": layout.fill(layout.QUERIES, dataset=dataset),
        "query_documents": layout.fill(layout.QUERY_DOCUMENTS, dataset=dataset),
        "candidates": layout.fill(layout.TRAINING_CANDIDATES, dataset=dataset),
        "docs": layout.fill(layout.DOCS_TABLE, dataset=dataset),
        "topics": layout.fill(layout.TOPICS, dataset=dataset),
        "qrels": layout.fill(layout.QRELS, dataset=dataset),
        "statistics": layout.fill(layout.STATISTICS, dataset=dataset),
    }
    if oracle:
        names["oracle"] = layout.fill(layout.ORACLE_ENGLISH, dataset=dataset)
    return {key: str(root / path) for key, path in names.items()}


def _params(root: Path) -> dict:
    return {"source": "local", "root": str(root), "languages": LANGUAGES, "queries_per_pair": 10, "train_queries_per_pair": 2}


def test_prepare_release_writes_the_contract(tmp_path):
    write_clirmatrix(tmp_path / "release", LANGUAGES)
    out = _outputs(tmp_path / "project", "clirmatrix")
    steps.prepare_clirmatrix(_params(tmp_path / "release"), out)
    docs = contract.read_docs_table(out["docs"])
    topics = contract.read_topics(out["topics"])
    qrels = contract.read_qrels(out["qrels"])
    assert set(docs.values()) == set(LANGUAGES)
    assert {t.qid for t in topics} == set(qrels)
    assert {docid for rels in qrels.values() for docid in rels} <= set(docs)
    assert Path(out["queries"]).read_bytes() == Path(out["topics"]).read_bytes()
    with open(out["statistics"], newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"statistic": "paper", "key": "documents", "value": "9055"} in rows
    assert any(row["statistic"] == "shortfall_queries" for row in rows)
    header = Path(out["query_documents"]).read_text().splitlines()[0]
    assert header == "id\tquery_lang\tquery\tdoc_lang\tdocument"
    candidates = Path(out["candidates"]).read_text().splitlines()
    assert candidates[0] == "id\trank\tdoc_lang\tdocument" and len(candidates) > 1


def test_mmarco_writes_its_oracle_english(tmp_path):
    write_mmarco(tmp_path / "release", ["de", "en", "zh"])
    out = _outputs(tmp_path / "project", "mmarco", oracle=True)
    params = {"root": str(tmp_path / "release"), "languages": ["de", "en", "zh"], "train_queries_per_pair": 0}
    steps.prepare_mmarco(params, out)
    oracle = {d.docid: d for d in contract.read_documents(out["oracle"])}
    documents = contract.read_documents(out["documents"])
    assert [d.docid for d in documents] == list(oracle) and all(d.lang == "en" for d in oracle.values())
    assert Path(out["query_documents"]).read_text() == "id\tquery_lang\tquery\tdoc_lang\tdocument\n"
    assert Path(out["candidates"]).read_text() == "id\trank\tdoc_lang\tdocument\n", "no training query, no candidates"


def test_a_failure_while_writing_leaves_no_output(tmp_path, monkeypatch):
    write_clirmatrix(tmp_path / "release", LANGUAGES)
    out = _outputs(tmp_path / "project", "clirmatrix")

    def broken(path, qrels):
        raise OSError("disk full")

    monkeypatch.setattr(contract, "write_qrels", broken)
    with pytest.raises(OSError, match="disk full"):
        steps.prepare_clirmatrix(_params(tmp_path / "release"), out)
    assert not [path for path in out.values() if Path(path).exists()]


def test_an_empty_corpus_is_an_error_and_writes_nothing(tmp_path):
    write_clirmatrix(tmp_path / "release", LANGUAGES)
    for lang in LANGUAGES:
        with gzip.open(tmp_path / "release" / "DOCS" / f"{lang}.tsv.gz", "wt") as handle:
            handle.write("")
    out = _outputs(tmp_path / "project", "clirmatrix")
    with pytest.raises(InputError, match=r"clirmatrix release in .*: the document pool is empty\. Fix: check that the dataset directory"):
        steps.prepare_clirmatrix(_params(tmp_path / "release"), out)
    assert not [path for path in out.values() if Path(path).exists()]


def test_missing_release_file_is_named(tmp_path):
    write_clirmatrix(tmp_path / "release", LANGUAGES)
    (tmp_path / "release" / "MULTI-8" / "ja" / "ja.de.test1.jl.gz").unlink()
    with pytest.raises(InputError, match=r"ja\.de\.test1\.jl\.gz: file not found"):
        steps.prepare_clirmatrix(_params(tmp_path / "release"), _outputs(tmp_path / "project", "clirmatrix"))


def test_empty_texts_never_reach_documents_tsv_and_are_counted_in_statistics_csv(tmp_path):
    facts = write_clirmatrix(tmp_path / "release", LANGUAGES, empty_texts=True)
    out = _outputs(tmp_path / "project", "clirmatrix")
    steps.prepare_clirmatrix({**_params(tmp_path / "release"), "pool": "judged"}, out)
    documents = contract.read_documents(out["documents"])
    assert documents and all(d.text.strip() for d in documents)
    assert not {f"{lang}-{page}" for lang, page in facts.empty_document_ids.items()} & {d.docid for d in documents}
    with open(out["statistics"], newline="") as handle:
        rows = {(row["statistic"], row["key"]): int(row["value"]) for row in csv.DictReader(handle)}
    assert rows[("documents_empty_text", "all")] == len(LANGUAGES)
    for reason, planted in facts.not_eligible.items():
        assert rows[(reason, "all")] == sum(planted.values()) and all(rows[(reason, f"{q}-{d}")] == n for (q, d), n in planted.items())
