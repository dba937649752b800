"""Readers for the Large-Scale CLIR dataset (Sasaki et al., NAACL 2018; "wikiclir2018").

Split release, ``data_en_{lang}/{train,dev,test1}.txt``: ``relevance<TAB>query<TAB>document``
lines, each relevant document followed by 0-label negatives; queries are English first
sentences and neither queries nor documents carry ids, so stable ids are derived from their
text. Full release: ``wiki_en.queries`` (``qid, title, first_sent``), ``wiki_{code}.documents``
(``doc_id, title, text``) and ``en2{code}.rel`` (``qid docid rel``). rel 2 = the linked article,
1 = articles linked both ways with it, 0 = negative.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from crossrank.core import contract
from crossrank.core.errors import InputError
from crossrank.core.io import read_tsv, scan_keyed_tsv

RELEVANCE_LEVELS = (0, 1, 2)


def text_id(prefix: str, text: str) -> str:
    """A stable id for an id-less text: ``prefix`` + 16 hex digits of its SHA-1."""
    return f"{prefix}{hashlib.sha1(text.encode('utf-8')).hexdigest()[:16]}"


@dataclass
class SplitQuery:
    """One English query of the split release with its judged documents (id -> (label, text)).

    ``empty_labels``: the labels of its lines whose document text is empty, kept out of
    ``documents`` (every empty text would hash to the same id, and nothing can be retrieved by it).
    """

    qid: str
    text: str
    documents: dict[str, tuple[int, str]] = field(default_factory=dict)
    empty_labels: list[int] = field(default_factory=list)

    def has_label(self, label: int) -> bool:
        """Whether one of its lines, an empty document's included, has ``label``."""
        return label in self.empty_labels or any(rel == label for rel, _ in self.documents.values())

    def relevant(self) -> bool:
        """Whether a document with text is judged relevant (label >= 1)."""
        return any(rel >= 1 for rel, _ in self.documents.values())

    @property
    def repeats_a_text(self) -> bool:
        """Whether an earlier query of the same file had the same text (its id carries ``-n``)."""
        return "-" in self.qid


def read_split(path: str | os.PathLike[str], doc_prefix: str = "d") -> Iterator[SplitQuery]:
    """Stream the queries of a split-release file, grouping consecutive lines of the same query.

    A query is a run of lines with the same text holding one rel-2 document (its linked
    article); a second rel-2 line starts another query with the same text. First sentences
    with the title removed do repeat ("is a commune in ..."), so the n-th query with a given
    text gets the id ``q<hash>-n`` (the first keeps ``q<hash>``): repeated texts stay distinct
    queries, and ids stay stable for the same file. A line whose document text is empty still
    counts for the grouping but only its label is kept (:attr:`SplitQuery.empty_labels`).
    """
    current: SplitQuery | None = None
    seen: Counter[str] = Counter()
    for number, fields in read_tsv(path, ("relevance", "query", "document")):
        try:
            rel = int(fields[0])
        except ValueError:
            raise InputError(path, f"relevance {fields[0]!r} is not an integer.", line=number) from None
        if rel not in RELEVANCE_LEVELS:
            raise InputError(path, f"relevance {rel} is not one of {RELEVANCE_LEVELS}.", line=number)
        query, document = " ".join(fields[1].split()), " ".join(fields[2].split())
        linked = max(RELEVANCE_LEVELS)
        if current is None or current.text != query or (rel == linked and current.has_label(linked)):
            if current is not None:
                yield current
            base = text_id("q", query)
            seen[base] += 1
            current = SplitQuery(base if seen[base] == 1 else f"{base}-{seen[base]}", query)
        if document:
            current.documents[text_id(doc_prefix, document)] = (rel, document)
        else:
            current.empty_labels.append(rel)
    if current is not None:
        yield current


def read_full_table(path: str | os.PathLike[str], wanted: Collection[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """Stream ``(id, title, text)`` rows of ``wiki_en.queries`` or ``wiki_{code}.documents``; only ``wanted`` ids if given."""
    for _number, fields in scan_keyed_tsv(path, ("id", "title", "text"), wanted):
        yield fields[0], fields[1], " ".join(fields[2].split())


def read_full_qrels(path: str | os.PathLike[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """``en2{code}.rel`` (``qid docid rel``, no iteration column) as ``{qid: {docid: (rel, line)}}``."""
    return contract.read_judgments(path, "qid docid rel", RELEVANCE_LEVELS)
