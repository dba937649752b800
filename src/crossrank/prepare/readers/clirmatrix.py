"""Readers for the released CLIRMatrix files (Sun & Duh, EMNLP 2020).

Queries: gzipped JSON lines, one object per line,
``{"src_id": "3649", "src_query": "...", "tgt_results": [["50129", 5], ..., ["93300", 0]]}``,
with 100 ``[doc_id, label]`` pairs; labels 1..6 are graded relevance and 0 means "not
relevant". Documents: ``DOCS/{lang}.tsv.gz``, ``doc_id<TAB>text`` without a header. Some ids in
``tgt_results`` are missing from the document files: they are skipped and counted, never
invented; documents with empty text are told apart, for the protocol to drop and count. File
locations are templates (``{qlang}``, ``{dlang}``, ``{split}``, ``{lang}``) so both the MULTI-8
and the BI-139 layouts, wherever a lab unpacked them, can be read.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from crossrank.core.errors import InputError
from crossrank.core.io import read_lines, scan_keyed_tsv

log = logging.getLogger(__name__)
MAX_LABEL = 6
_FIX = "re-download the file; CLIRMatrix query files hold one JSON object per line."


@dataclass(frozen=True)
class ClirMatrixQuery:
    """One source-language query and its graded target-language judgments."""

    qid: str
    text: str
    judgments: dict[str, int]

    def relevant(self, level: int = 1) -> dict[str, int]:
        """Judgments with label >= ``level`` (label 0 is not relevant)."""
        return {docid: label for docid, label in self.judgments.items() if label >= level}


def read_queries(path: str | os.PathLike[str]) -> Iterator[ClirMatrixQuery]:
    """Stream the queries of one ``{qlang}.{dlang}.{split}.jl.gz`` file, validating every line."""
    for number, line in read_lines(path):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(path, f"malformed JSON ({error.msg}, column {error.colno}).", line=number, fix=_FIX) from None
        if not isinstance(record, dict) or not {"src_id", "src_query", "tgt_results"} <= set(record):
            raise InputError(path, "expected an object with src_id, src_query and tgt_results.", line=number, fix=_FIX)
        results = record["tgt_results"]
        if not isinstance(results, list):
            raise InputError(path, "tgt_results must be a list of [doc_id, label] pairs.", line=number, fix=_FIX)
        judgments: dict[str, int] = {}
        for pair in results:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], int) and 0 <= pair[1] <= MAX_LABEL):
                raise InputError(path, f"bad tgt_results entry {pair!r}; expected [doc_id, label 0..{MAX_LABEL}].", line=number, fix=_FIX)
            judgments[str(pair[0])] = pair[1]
        yield ClirMatrixQuery(str(record["src_id"]).strip(), " ".join(str(record["src_query"]).split()), judgments)


def read_documents(path: str | os.PathLike[str], wanted: Collection[str] | None = None) -> dict[str, str]:
    """``{doc_id: text}`` of one ``DOCS/{lang}.tsv.gz`` file, streamed; only ``wanted`` ids if given."""
    return {docid: " ".join(text.split()) for _, (docid, text) in scan_keyed_tsv(path, ("doc_id", "text"), wanted)}


@dataclass(frozen=True)
class PresentIds:
    """Which wanted ids a document file holds: with a text, and with an empty one (whitespace only)."""

    with_text: set[str]
    empty: set[str]

    @property
    def all(self) -> set[str]:
        return self.with_text | self.empty


def present_ids(path: str | os.PathLike[str], wanted: Collection[str]) -> PresentIds:
    """Which of ``wanted`` a document file holds, and which of those have empty text (a cheap first pass: texts are not
    kept). Empty documents are told apart so that they are dropped and counted, never indexed."""
    present = PresentIds(set(), set())
    for _, (docid, text) in scan_keyed_tsv(path, ("doc_id", "text"), wanted):
        (present.with_text if text.strip() else present.empty).add(docid)
    present.with_text.difference_update(present.empty)  # an id listed twice, once empty: treated as empty
    return present


def drop_judgments(queries: list[ClirMatrixQuery], docids: Collection[str]) -> list[ClirMatrixQuery]:
    """The queries without their judgments of ``docids`` (documents with empty text, which are never pooled)."""
    return [ClirMatrixQuery(q.qid, q.text, {d: label for d, label in q.judgments.items() if d not in docids}) for q in queries]


def restrict_to_corpus(queries: list[ClirMatrixQuery], corpus: Mapping[str, object], source: str) -> tuple[list[ClirMatrixQuery], int]:
    """Drop judgments naming documents absent from ``corpus``; return the queries and how many were dropped.

    The count is logged as a warning naming ``source`` (the released files are known to lack
    some documents).
    """
    kept, missing = [], 0
    for query in queries:
        present = {docid: label for docid, label in query.judgments.items() if docid in corpus}
        missing += len(query.judgments) - len(present)
        kept.append(ClirMatrixQuery(query.qid, query.text, present))
    if missing:
        log.warning("%s: %d judged document ids are missing from the document files; skipped", source, missing)
    return kept, missing
