"""CombSUM (Fox & Shaw, TREC-2 1993) over min-max normalised scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crossrank.fusion.normalization import min_max

Run = Mapping[str, Mapping[str, float]]


def combsum_min_max(runs: Sequence[Run]) -> dict[str, dict[str, float]]:
    """``{qid: {docid: score}}`` with ``score(d) = sum over the runs retrieving d of min_max(run's list)[d]``.

    Each run's list is normalised per query (:func:`crossrank.fusion.normalization.min_max`), so
    BM25's unbounded scores and cosine similarities weigh alike; a run that does not retrieve
    ``d`` for a query, or has no list for the query, adds 0. Every query of any run is fused.
    """
    fused: dict[str, dict[str, float]] = {}
    for run in runs:
        for qid, scores in run.items():
            query = fused.setdefault(qid, {})
            for docid, score in min_max(scores).items():
                query[docid] = query.get(docid, 0.0) + score
    return fused
