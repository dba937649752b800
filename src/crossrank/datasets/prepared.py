"""What every dataset's prepare step produces, and the checks it must pass before anything is written.

A prepared dataset is the results contract (documents of the pool, evaluated topics, qrels), its
statistics table, optional parallel English texts (the oracle translation) and training
material. :func:`check_prepared` rejects an empty pool, topics without a relevant document and
qrels naming documents outside the pool, so a broken release or a bug never reaches evaluation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from crossrank.contract import Document, Qrels, Topic
from crossrank.io import InputError

# (source id, query language, query text, document language, document text)
TrainingPair = tuple[str, str, str, str, str]
QUERY_DOCUMENT_COLUMNS = ("id", "query_lang", "query", "doc_lang", "document")
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
