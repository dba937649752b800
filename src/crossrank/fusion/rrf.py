"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crossrank.core.runs import ranked

Run = Mapping[str, Mapping[str, float]]


def rrf(runs: Sequence[Run], k: int = 60) -> dict[str, dict[str, float]]:
    """``{qid: {docid: score}}`` with ``score(d) = sum over the runs retrieving d of 1 / (k + rank(d))``.

    ``rank`` starts at 1 and is each run's own trec_eval order (rounded score descending, ties by
    docid descending, as :func:`crossrank.core.runs.ranked` and the evaluation see it); a run that
    does not retrieve ``d`` for a query, or has no list for the query, adds nothing. Every query
    of any run is fused.
    """
    if k < 0:
        raise ValueError(f"RRF's k must be >= 0, got {k}")
    fused: dict[str, dict[str, float]] = {}
    for run in runs:
        for qid, scores in run.items():
            query = fused.setdefault(qid, {})
            for rank, (docid, _score) in enumerate(ranked(scores), start=1):
                query[docid] = query.get(docid, 0.0) + 1.0 / (k + rank)
    return fused
