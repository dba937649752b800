"""Shared factories of small contract fixtures: documents, topics, qrels, runs and run names, built the same way in every test."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from crossrank.core.contract import Document, Topic
from crossrank.core.run_name import RunName


def retrieval_runs(conditions: Iterable[str], encoders: Iterable[str] = (), ann_encoders: Iterable[str] = ()) -> list[str]:
    """The run names the pipeline writes for a dataset, in the plan's order: BM25, exact search, HNSW; per condition."""
    conditions = list(conditions)
    runs = [RunName("bm25", c) for c in conditions]
    runs += [RunName("dense", c, model=e) for e in encoders for c in conditions]
    runs += [RunName("ann", c, model=e) for e in ann_encoders for c in conditions]
    return [str(run) for run in runs]


def documents(spec: Mapping[str, tuple[str, str]] | Sequence[tuple[str, str, str]]) -> list[Document]:
    """Documents from ``{docid: (lang, text)}`` or ``[(docid, lang, text)]``."""
    rows = [(docid, lang, text) for docid, (lang, text) in spec.items()] if isinstance(spec, Mapping) else list(spec)
    return [Document(docid, lang, text) for docid, lang, text in rows]


def topics(spec: Mapping[str, tuple[str, str, str]] | Sequence[tuple[str, str, str, str]]) -> list[Topic]:
    """Topics from ``{qid: (query_lang, doc_lang, text)}`` or ``[(qid, query_lang, doc_lang, text)]``."""
    rows = [(qid, *fields) for qid, fields in spec.items()] if isinstance(spec, Mapping) else list(spec)
    return [Topic(qid, query_lang, doc_lang, text) for qid, query_lang, doc_lang, text in rows]
