"""The results contract: the files every dataset leaves under ``results/{dataset}/``.

- ``docs.tsv``   ``docid<TAB>lang`` for every document of the pool (no header)
- ``topics.tsv`` ``qid<TAB>query_lang<TAB>doc_lang<TAB>text`` (no header)
- ``qrels.tsv``  TREC qrels ``qid 0 docid rel`` (space-separated)

Document texts live outside the contract, in ``documents.{condition}.tsv`` files with a header
``docid lang text``, because users script against the contract and it must stay small.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from crossrank.core.errors import InputError
from crossrank.core.io import atomic_write, read_trec_rows, read_tsv, write_tsv

DOCUMENT_COLUMNS = ("docid", "lang", "text")
# The document conditions: documents in their own language, and translated into English.
CONDITIONS = ("original", "translated")
# query_lang and doc_lang of the rows that average over language pairs (metrics.csv, the bias tables).
MACRO = "all"
# Dataset language codes that name a variety of another language: Large-Scale CLIR's Simple
# English ("simple") is English, as the paper's Table 1 counts it and its translation copies it.
VARIETY_OF = {"simple": "en"}


def base_language(code: str) -> str:
    """The language a dataset's code is written in (``simple`` -> ``en``; every other code is itself)."""
    return VARIETY_OF.get(code, code)


@dataclass(frozen=True)
class Document:
    """One document of the pool, in one language."""

    docid: str
    lang: str
    text: str


@dataclass(frozen=True)
class Topic:
    """One evaluated query, with the language pair it belongs to."""

    qid: str
    query_lang: str
    doc_lang: str
    text: str


Qrels = dict[str, dict[str, int]]


def write_documents(path: str | os.PathLike[str], documents: Iterable[Document]) -> None:
    """Write document texts (``docid lang text`` with a header)."""
    write_tsv(path, ((d.docid, d.lang, d.text) for d in documents), header=DOCUMENT_COLUMNS)


def read_documents(path: str | os.PathLike[str]) -> list[Document]:
    """Read a documents file written by :func:`write_documents`; ids must be unique."""
    documents: list[Document] = []
    seen: set[str] = set()
    for line, (docid, lang, text) in read_tsv(path, DOCUMENT_COLUMNS, header=True):
        if docid in seen:
            raise InputError(path, f"duplicate docid {docid!r}.", line=line, fix="document ids must be unique.")
        seen.add(docid)
        documents.append(Document(docid, lang, text))
    return documents


def write_docs_table(path: str | os.PathLike[str], documents: Iterable[Document]) -> None:
    """Write the contract's ``docs.tsv`` (``docid<TAB>lang``)."""
    write_tsv(path, ((d.docid, d.lang) for d in documents))


def read_docs_table(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read ``docs.tsv`` into ``{docid: lang}``."""
    return {docid: lang for _, (docid, lang) in read_tsv(path, ("docid", "lang"))}


def write_topics(path: str | os.PathLike[str], topics: Iterable[Topic]) -> None:
    """Write the contract's ``topics.tsv``."""
    write_tsv(path, ((t.qid, t.query_lang, t.doc_lang, t.text) for t in topics))


def read_topics(path: str | os.PathLike[str]) -> list[Topic]:
    """Read ``topics.tsv``; query ids must be unique."""
    topics: list[Topic] = []
    seen: set[str] = set()
    for line, fields in read_tsv(path, ("qid", "query_lang", "doc_lang", "text")):
        if fields[0] in seen:
            raise InputError(path, f"duplicate qid {fields[0]!r}.", line=line, fix="query ids must be unique.")
        seen.add(fields[0])
        topics.append(Topic(*fields))
    return topics


def write_qrels(path: str | os.PathLike[str], qrels: Mapping[str, Mapping[str, int]]) -> None:
    """Write TREC qrels ``qid 0 docid rel``, sorted for byte-stable output."""
    with atomic_write(path) as handle:
        for qid in sorted(qrels):
            for docid in sorted(qrels[qid]):
                handle.write(f"{qid} 0 {docid} {int(qrels[qid][docid])}\n")


def read_judgments(
    path: str | os.PathLike[str], layout: str = "qid 0 docid rel", levels: Collection[int] | None = None
) -> dict[str, dict[str, tuple[int, int]]]:
    """Whitespace-separated qrels as ``{qid: {docid: (label, line)}}``; the line numbers let later errors cite the source.

    ``layout`` names the columns: TREC's ``qid 0 docid rel`` or a release's ``qid docid rel``;
    ``levels`` restricts the accepted labels.
    """
    columns = layout.split()
    judgments: dict[str, dict[str, tuple[int, int]]] = {}
    for number, fields in read_trec_rows(path, layout):
        record = dict(zip(columns, fields, strict=True))
        try:
            label = int(record["rel"])
        except ValueError:
            raise InputError(path, f"relevance {record['rel']!r} is not an integer.", line=number, fix="check the qrels file.") from None
        if levels is not None and label not in levels:
            raise InputError(path, f"relevance {label} is not one of {tuple(levels)}.", line=number, fix="check the qrels file.")
        judgments.setdefault(record["qid"], {})[record["docid"]] = (label, number)
    return judgments


def read_qrels(path: str | os.PathLike[str]) -> Qrels:
    """Read TREC qrels (whitespace-separated ``qid iter docid rel``)."""
    return {qid: {docid: label for docid, (label, _) in judged.items()} for qid, judged in read_judgments(path).items()}
