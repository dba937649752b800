"""TREC run files and deterministic top-k selection.

Ranks follow trec_eval's own ordering so that the rank column and the evaluation agree:
scores descending (rounded to a fixed number of decimals first, so that floating-point noise
cannot reorder near-equal documents between machines), ties broken by docid in descending
byte order, as trec_eval does when it re-sorts a run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from crossrank.core.errors import InputError
from crossrank.core.io import atomic_write, read_trec_rows

SCORE_DECIMALS = 6
Ranking = list[tuple[str, float]]


class DocidOrder:
    """Precomputed byte order of a pool's docids, for vectorised tie-breaking."""

    def __init__(self, docids: Sequence[str]):
        self.docids = list(docids)
        order = sorted(range(len(self.docids)), key=lambda i: self.docids[i].encode("utf-8"))
        self.rank = np.empty(len(self.docids), dtype=np.int64)
        self.rank[order] = np.arange(len(self.docids))


def top_k(scores: np.ndarray, k: int, order: DocidOrder, positive_only: bool = False, indices: np.ndarray | None = None) -> Ranking:
    """The ``k`` best documents of one score vector, in trec_eval order.

    ``scores[i]`` belongs to document ``indices[i]`` (default: document ``i``), so a search that
    pre-selected candidates can pass just those. ``positive_only`` drops documents scoring <= 0
    (a lexical ranker retrieves only documents that share a term with the query).
    """
    if k <= 0:
        return []
    rounded = np.round(np.asarray(scores, dtype=np.float64), SCORE_DECIMALS)
    docs = np.arange(len(rounded)) if indices is None else np.asarray(indices)
    keep = np.flatnonzero(rounded > 0) if positive_only else np.arange(len(rounded))
    if len(keep) > k:
        kth = np.partition(rounded[keep], len(keep) - k)[len(keep) - k]
        keep = keep[rounded[keep] >= kth]
    keys = np.lexsort((-order.rank[docs[keep]], -rounded[keep]))
    best = keep[keys[:k]]
    return [(order.docids[docs[i]], float(rounded[i])) for i in best]


def ranked(scores: Mapping[str, float], k: int | None = None) -> Ranking:
    """One query's ``{docid: score}`` in trec_eval order (rounded score descending, then docid descending), the first ``k``."""
    by_docid = sorted(scores.items(), key=lambda item: item[0].encode("utf-8"), reverse=True)
    rounded = [(docid, round(float(score), SCORE_DECIMALS)) for docid, score in by_docid]
    ordered = sorted(rounded, key=lambda item: -item[1])  # stable: equal scores keep the docid order
    return ordered if k is None else ordered[:k]


def write_run(path: str | os.PathLike[str], rankings: Mapping[str, Ranking], tag: str) -> None:
    """Write a TREC run ``qid Q0 docid rank score tag``, queries in sorted order."""
    with atomic_write(path) as handle:
        for qid in sorted(rankings):
            for rank, (docid, score) in enumerate(rankings[qid], start=1):
                handle.write(f"{qid} Q0 {docid} {rank} {score:.{SCORE_DECIMALS}f} {tag}\n")


def read_run(path: str | os.PathLike[str]) -> dict[str, dict[str, float]]:
    """Read a TREC run into ``{qid: {docid: score}}``."""
    run: dict[str, dict[str, float]] = {}
    for number, fields in read_trec_rows(path, "qid Q0 docid rank score tag"):
        try:
            run.setdefault(fields[0], {})[fields[2]] = float(fields[4])
        except ValueError:
            raise InputError(path, f"score {fields[4]!r} is not a number.", line=number) from None
    return run
