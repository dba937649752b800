"""What every dataset's prepare step produces, the checks it must pass, and how it is written.

A prepared dataset is the results contract (documents of the pool, evaluated topics, qrels), its
statistics table, optional parallel English texts (the oracle translation) and training
material. :func:`check_prepared` rejects an empty pool, documents or topics with empty text,
topics without a relevant document and qrels naming documents outside the pool, so a broken
release or a bug never reaches evaluation; :func:`write_prepared` writes all of a dataset's files
or none of them.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crossrank.core import contract
from crossrank.core.contract import Document, Qrels, Topic
from crossrank.core.errors import InputError
from crossrank.core.io import all_or_nothing, atomic_write, write_tsv
from crossrank.core.manifest import write_manifest

log = logging.getLogger("crossrank")

# (source id, query language, query text, document language, document text)
TrainingPair = tuple[str, str, str, str, str]
QUERY_DOCUMENT_COLUMNS = ("id", "query_lang", "query", "doc_lang", "document")
# (training pair id, rank in the release's list, document language, document text): a training
# query's judged non-relevant candidates as its release ranks them (hard negatives for re-ranking).
TrainingCandidate = tuple[str, int, str, str]
TRAINING_CANDIDATE_COLUMNS = ("id", "rank", "doc_lang", "document")
Statistic = tuple[str, str, int]


@dataclass
class PreparedDataset:
    """A dataset ready to be written: pool, topics, qrels, statistics and side files."""

    documents: list[Document]
    topics: list[Topic]
    qrels: Qrels
    statistics: list[Statistic]
    oracle_english: dict[str, str] | None = None
    query_documents: list[TrainingPair] = field(default_factory=list)
    training_candidates: list[TrainingCandidate] = field(default_factory=list)
    phrase_pairs: list[tuple[str, str, str, str, str]] | None = None


def pool_statistics(documents: Iterable[Document], topics: Iterable[Topic]) -> list[Statistic]:
    """Documents per language and evaluated queries per ordered pair, each with an ``all`` total."""
    doc_counts = Counter(d.lang for d in documents)
    pair_counts = Counter(f"{t.query_lang}-{t.doc_lang}" for t in topics)
    rows: list[Statistic] = [("documents", lang, n) for lang, n in sorted(doc_counts.items())]
    rows.append(("documents", "all", sum(doc_counts.values())))
    rows += [("test_queries", pair, n) for pair, n in sorted(pair_counts.items())]
    rows.append(("test_queries", "all", sum(pair_counts.values())))
    return rows


def counted(statistic: str, counts: Mapping[str, int]) -> list[Statistic]:
    """Rows of one count (dropped queries, empty documents ...): each key where it is not zero, then ``all`` always,
    so a zero total shows the protocol looked and found none."""
    rows: list[Statistic] = [(statistic, key, n) for key, n in sorted(counts.items()) if n]
    rows.append((statistic, "all", sum(counts.values())))
    return rows


def counted_reasons(reasons: Iterable[str], per_key: Mapping[str, Mapping[str, int]]) -> list[Statistic]:
    """:func:`counted` rows of each reason, from counts kept per key (a pair) and reason (why queries were dropped)."""
    return [row for reason in reasons for row in counted(reason, {key: counts.get(reason, 0) for key, counts in per_key.items()})]


def is_empty(text: str) -> bool:
    """Whether a text is empty once whitespace is stripped: nothing to index or to ask."""
    return not text.strip()


def check_prepared(prepared: PreparedDataset, source: str, relevance_level: int = 1) -> None:
    """Raise :class:`InputError` naming ``source`` if the prepared dataset cannot be evaluated."""
    if not prepared.documents:
        raise InputError(
            source,
            "the document pool is empty.",
            fix="check that the dataset directory holds the document files and the languages asked for.",
        )
    if not prepared.topics:
        raise InputError(source, "no query could be evaluated.", fix="check the query files, the split and the languages asked for.")
    _check_texts(prepared, source)
    pool = {d.docid: d.lang for d in prepared.documents}
    for topic in prepared.topics:
        judged = prepared.qrels.get(topic.qid, {})
        outside = sorted(docid for docid in judged if docid not in pool)
        if outside:
            raise InputError(source, f"qrels of {topic.qid!r} name documents outside the pool: {outside[:5]}.", fix="report this bug.")
        if not any(label >= relevance_level for label in judged.values()):
            raise InputError(source, f"query {topic.qid!r} has no relevant document in the pool.", fix="report this bug.")
    if prepared.oracle_english is not None:
        missing = [docid for docid in pool if docid not in prepared.oracle_english]
        if missing:
            raise InputError(
                source, f"{len(missing)} documents have no parallel English text, e.g. {missing[0]!r}.", fix="report this bug."
            )


def _check_texts(prepared: PreparedDataset, source: str) -> None:
    """Raise :class:`InputError` naming ``source`` for a pool document, an oracle text or a topic with empty text: an
    empty document cannot be retrieved (it would be indexed as nothing) and an empty query asks for nothing."""
    fix = (
        "the protocols drop empty texts before this check and count them in statistics.csv "
        "(documents_empty_text, queries_empty_text): report this bug, naming the release."
    )
    empty = [d.docid for d in prepared.documents if is_empty(d.text)]
    if empty:
        raise InputError(source, f"{len(empty)} pool document(s) have empty text, e.g. {empty[0]!r}.", fix=fix)
    oracle = prepared.oracle_english or {}
    empty = [d.docid for d in prepared.documents if is_empty(oracle.get(d.docid, "-"))]
    if empty:
        raise InputError(source, f"{len(empty)} pool document(s) have an empty English text, e.g. {empty[0]!r}.", fix=fix)
    empty = [t.qid for t in prepared.topics if is_empty(t.text)]
    if empty:
        raise InputError(source, f"{len(empty)} topic(s) have empty text, e.g. {empty[0]!r}.", fix=fix)


def write_prepared(prepared: PreparedDataset, out: Mapping[str, str], source: str, job: str = "prepare") -> None:
    """Check a prepared dataset, then write all of its files or none of them.

    ``out`` names the files: ``documents``, ``queries``, ``docs``, ``topics``, ``qrels``,
    ``statistics``, ``query_documents``, ``candidates`` (header only for a dataset whose release ranks
    no candidates for its training queries), and ``oracle`` / ``phrase_pairs`` where the dataset has them;
    ``manifest``, if given, records all the others (:mod:`crossrank.core.manifest`) as written by ``job``.
    """
    check_prepared(prepared, source)
    if ("oracle" in out) != (prepared.oracle_english is not None) or ("phrase_pairs" in out) != (prepared.phrase_pairs is not None):
        raise ValueError(f"{source}: the outputs {sorted(out)} do not match what the dataset provides")
    with all_or_nothing(out.values()):
        contract.write_documents(out["documents"], prepared.documents)
        if prepared.oracle_english is not None:
            oracle = prepared.oracle_english
            contract.write_documents(out["oracle"], (Document(d.docid, "en", oracle[d.docid]) for d in prepared.documents))
        if prepared.phrase_pairs is not None:
            write_tsv(out["phrase_pairs"], prepared.phrase_pairs, header=("id", "lang_a", "text_a", "lang_b", "text_b"))
        write_tsv(out["query_documents"], prepared.query_documents, header=QUERY_DOCUMENT_COLUMNS)
        write_tsv(out["candidates"], prepared.training_candidates, header=TRAINING_CANDIDATE_COLUMNS)
        contract.write_docs_table(out["docs"], prepared.documents)
        contract.write_topics(out["topics"], prepared.topics)
        contract.write_topics(out["queries"], prepared.topics)
        contract.write_qrels(out["qrels"], prepared.qrels)
        with atomic_write(out["statistics"]) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("statistic", "key", "value"))
            writer.writerows(prepared.statistics)
        if "manifest" in out:  # last: a manifest exists only once every file it lists is complete
            write_manifest(out["manifest"], {role: path for role, path in out.items() if role != "manifest"}, job)
    counts = len(prepared.documents), len(prepared.topics), len(prepared.query_documents), len(prepared.training_candidates)
    log.info("wrote %d documents, %d topics, %d training pairs, %d training candidates", *counts)
