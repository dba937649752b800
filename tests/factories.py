"""Shared factories of small contract fixtures: documents, topics, qrels, a sample run and run names, built the same way in every test.

Builders return the contract's own types (:class:`Document`, :class:`Topic`, ``Qrels``, run dicts);
writers put them on disk with the contract's own writers and return the paths.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossrank.core.contract import Document, Qrels, Topic, write_docs_table, write_documents, write_qrels, write_topics
from crossrank.core.run_name import RunName
from crossrank.core.runs import write_run

# The bm25 block as params.yaml ships it (Lucene's BM25, stemmed, CJK bigrams): what BM25 tests index with.
BM25_SETTINGS = {
    "backend": "bm25s",
    "variant": "lucene",
    "k1": 1.2,
    "b": 0.75,
    "delta": 0.5,
    "epsilon": 0.25,
    "analyzer": {"stem": True, "cjk_ngram": 2},
}

Run = dict[str, dict[str, float]]


def retrieval_runs(
    conditions: Iterable[str],
    encoders: Iterable[str] = (),
    ann_encoders: Iterable[str] = (),
    finetuned: Iterable[str] = (),
    fusions: Iterable[str] = (),
) -> list[str]:
    """The run names the pipeline writes for a dataset, in the plan's order: BM25, exact search, HNSW, then the
    fine-tuned encoders' (``"tiny+qd"``) exact and HNSW search (HNSW when ``ann_encoders`` is not empty), then the
    fused retrievers' (``"fusion.rrf.bm25+dense.tiny"``); per condition."""
    conditions, ann_encoders, finetuned = list(conditions), list(ann_encoders), list(finetuned)
    runs = [RunName("bm25", c) for c in conditions]
    runs += [RunName("dense", c, model=e) for e in encoders for c in conditions]
    runs += [RunName("ann", c, model=e) for e in ann_encoders for c in conditions]
    runs += [RunName.parse(f"dense.{e}.{c}") for e in finetuned for c in conditions]
    runs += [RunName.parse(f"ann.{e}.{c}") for e in finetuned for c in conditions if ann_encoders]
    runs += [RunName.join(fused, c) for fused in fusions for c in conditions]
    return [str(run) for run in runs]


def shipped_fusions(encoders: Iterable[str]) -> list[str]:
    """The fused retrievers the shipped ``fusion`` block makes: RRF, then CombSUM, of BM25 with each encoder's exact search."""
    return [f"fusion.{method}.bm25+dense.{encoder}" for method in ("rrf", "combsum") for encoder in encoders]


# --- builders -----------------------------------------------------------------------------


def documents(spec: Mapping[str, tuple[str, str]] | Sequence[tuple[str, str, str]]) -> list[Document]:
    """Documents from ``{docid: (lang, text)}`` or ``[(docid, lang, text)]``, in the given order."""
    rows = [(docid, lang, text) for docid, (lang, text) in spec.items()] if isinstance(spec, Mapping) else list(spec)
    return [Document(docid, lang, text) for docid, lang, text in rows]


def numbered_documents(texts: Iterable[str], lang: str = "en", prefix: str = "d") -> list[Document]:
    """One document per text, all in ``lang``, with ids ``d0, d1, ...`` (``prefix`` then the text's position)."""
    return [Document(f"{prefix}{i}", lang, text) for i, text in enumerate(texts)]


def topics(spec: Mapping[str, tuple[str, str, str]] | Sequence[tuple[str, str, str, str]]) -> list[Topic]:
    """Topics from ``{qid: (query_lang, doc_lang, text)}`` or ``[(qid, query_lang, doc_lang, text)]``, in the given order."""
    rows = [(qid, *fields) for qid, fields in spec.items()] if isinstance(spec, Mapping) else list(spec)
    return [Topic(qid, query_lang, doc_lang, text) for qid, query_lang, doc_lang, text in rows]


def numbered_topics(texts: Iterable[str], query_lang: str = "en", doc_lang: str = "de", prefix: str = "q") -> list[Topic]:
    """One topic per query text, all of one language pair, with ids ``q0, q1, ...`` (``prefix`` then the text's position)."""
    return [Topic(f"{prefix}{i}", query_lang, doc_lang, text) for i, text in enumerate(texts)]


def qrels(spec: Mapping[str, Mapping[str, int] | Iterable[str]]) -> Qrels:
    """Qrels from ``{qid: {docid: label}}``; a query's judgments may also be a list of docids, each judged relevant (1)."""
    return {
        qid: {docid: int(label) for docid, label in judged.items()} if isinstance(judged, Mapping) else dict.fromkeys(judged, 1)
        for qid, judged in spec.items()
    }


@dataclass(frozen=True)
class RetrievalSample:
    """A pool (``{docid: lang}``), the topics asked of it and one run over them, as the language-bias analysis reads them."""

    doc_langs: dict[str, str]
    topics: list[Topic]
    run: Run


def six_document_pool() -> RetrievalSample:
    """Six documents (en 3/6, de 2/6, fr 1/6), five topics and a depth-2 run with a tie, small enough to compute by hand.

    - ``q1`` en->de: top 2 is e1, then the tie g1/g2 goes to g2 (docid descending);
    - ``q2`` en->en (monolingual) retrieves one document, e2;
    - ``q3`` de->en: top 2 is g1, f1;
    - ``q4`` fr->fr is absent from the run; ``q5`` de->fr retrieves nothing.

    A fresh copy on every call, so a test may change it.
    """
    return RetrievalSample(
        doc_langs={"e1": "en", "e2": "en", "e3": "en", "g1": "de", "g2": "de", "f1": "fr"},
        topics=topics(
            [
                ("q1", "en", "de", "cross-language"),
                ("q2", "en", "en", "monolingual, retrieves one document"),
                ("q3", "de", "en", "cross-language"),
                ("q4", "fr", "fr", "absent from the run"),
                ("q5", "de", "fr", "retrieves nothing"),
            ]
        ),
        run={
            "q1": {"e1": 3.0, "g1": 2.0, "g2": 2.0, "f1": 1.0},
            "q2": {"e2": 1.0},
            "q3": {"g1": 5.0, "f1": 4.0, "e1": 1.0},
            "q5": {},
        },
    )


# --- writers ------------------------------------------------------------------------------


def write_documents_file(path: str | os.PathLike[str], docs: Iterable[Document]) -> Path:
    """Write a documents file (``docid lang text`` with a header) at ``path``; returns the path."""
    write_documents(path, docs)
    return Path(path)


def write_contract(
    directory: str | os.PathLike[str],
    *,
    documents: Iterable[Document] | None = None,
    docs_table: Iterable[Document] | Mapping[str, str] | None = None,
    topics: Iterable[Topic] | None = None,
    qrels: Mapping[str, Mapping[str, int]] | None = None,
    condition: str = "original",
) -> dict[str, Path]:
    """Write the given parts of a dataset's files into ``directory``; returns the paths written, by the prepare step's output keys.

    ``documents`` go to ``documents.{condition}.tsv`` and, unless ``docs_table`` is given, their
    ids and languages to ``docs.tsv``; ``docs_table`` is a list of documents or ``{docid: lang}``.
    ``topics`` go to ``topics.tsv`` and ``qrels`` to ``qrels.tsv``.
    """
    directory = Path(directory)
    paths: dict[str, Path] = {}
    if documents is not None:
        documents = list(documents)
        paths["documents"] = write_documents_file(directory / f"documents.{condition}.tsv", documents)
        if docs_table is None:
            docs_table = documents
    if docs_table is not None:
        rows = [Document(docid, lang, "") for docid, lang in docs_table.items()] if isinstance(docs_table, Mapping) else docs_table
        paths["docs"] = directory / "docs.tsv"
        write_docs_table(paths["docs"], rows)
    if topics is not None:
        paths["topics"] = directory / "topics.tsv"
        write_topics(paths["topics"], topics)
    if qrels is not None:
        paths["qrels"] = directory / "qrels.tsv"
        write_qrels(paths["qrels"], qrels)
    return paths


def write_run_file(path: str | os.PathLike[str], run: Mapping[str, Mapping[str, float]], tag: str) -> Path:
    """Write ``run`` as a TREC run file tagged ``tag`` (each query's documents ranked in the given order); returns the path."""
    write_run(path, {qid: list(scores.items()) for qid, scores in run.items()}, tag=tag)
    return Path(path)


def leaked_evaluation_texts(project: Path, dataset: str, contains: bool = False) -> list[tuple[str, str]]:
    """``(training file, text)`` for each training text that is an evaluated query or a judged document's text.

    Reads every pairs file under ``data/finetune/{dataset}/pairs/`` and every cross-encoder
    examples file under ``data/rerank/{dataset}/pairs/``. With ``contains`` an
    evaluated query inside a longer training text counts too (word-bounded; anywhere in the
    scripts without spaces), the rule ``cldr`` applies to test entities' names.
    """
    import re

    from crossrank.core.contract import read_documents, read_qrels, read_topics
    from crossrank.finetune.pairs import read_training_pairs
    from crossrank.rerank.negatives import read_examples

    topics = read_topics(project / f"results/{dataset}/topics.tsv")
    judged = {
        docid for judgments in read_qrels(project / f"results/{dataset}/qrels.tsv").values() for docid, rel in judgments.items() if rel > 0
    }
    documents = {d.docid: d.text for d in read_documents(project / f"data/original/{dataset}/documents.tsv")}
    evaluated = {t.text for t in topics} | {documents[d] for d in judged if d in documents}
    by_language: dict[str, list[re.Pattern[str]]] = {}
    for t in topics:
        name = re.escape(t.text.casefold())
        by_language.setdefault(t.query_lang, []).append(re.compile(name if t.query_lang in ("ar", "ja", "zh") else rf"(?<!\w){name}(?!\w)"))
    leaks = []
    for path in sorted((project / f"data/finetune/{dataset}/pairs").glob("*.tsv")):
        for pair in read_training_pairs(path):
            for lang, text in ((pair.lang_a, pair.text_a), (pair.lang_b, pair.text_b)):
                named = contains and any(p.search(text.casefold()) for p in by_language.get(lang, []))
                if text in evaluated or named:
                    leaks.append((path.name, text))
    # The cross-encoders' examples carry no language, so only whole texts are compared; that they come
    # from the training side (checked by name above) is the caller's second check.
    for path in sorted((project / f"data/rerank/{dataset}/pairs").glob("*.csv")):
        for row in read_examples(path):
            leaks += [(path.name, text) for text in (row.query, row.document) if text in evaluated]
    return leaks
