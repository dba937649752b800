"""The candidates a cross-encoder re-ranks: a first-stage run's top k, as a real system sees them or with the gold injected.

- ``as_is``: the first stage's top ``k`` documents, unchanged (what a deployed re-ranker sees).
- ``inject_gold``: the paper's protocol (appendix D.5): when none of a query's relevant documents
  is in its top ``k``, the best-judged one replaces the document at rank ``k``, "ensuring that
  re-ranking always operates over a candidate set containing the relevant document". This
  inflates the results: a query the first stage missed entirely can now score, so even a random
  re-ordering of the candidates reaches Recall@k' = k'/k (10% at 10 of 100).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from crossrank.core.contract import Topic
from crossrank.core.runs import ranked

MODES = ("inject_gold", "as_is")
AS_IS_SUFFIX = "-asis"  # the as_is mode's run names: rerank.minilm-hard-asis.bm25.original
# Re-rankers without a model: the first stage's own order (the baseline on the same queries) and chance.
NO_MODEL = ("none", "chance")


def split_reranker(model: str) -> tuple[str, str]:
    """A re-ranked run's model part -> ``(re-ranker, candidate mode)``: ``minilm-hard-asis`` -> ``("minilm-hard", "as_is")``."""
    if model.endswith(AS_IS_SUFFIX):
        return model[: -len(AS_IS_SUFFIX)], "as_is"
    return model, "inject_gold"


def candidates(run: Mapping[str, Mapping[str, float]], qrels: Mapping[str, Mapping[str, int]], k: int, mode: str) -> dict[str, list[str]]:
    """Per query of ``run``, the document ids to re-rank, in first-stage order (trec_eval's)."""
    if mode not in MODES:
        raise ValueError(f"unknown candidate mode {mode!r}; use one of {', '.join(MODES)}")
    chosen = {}
    for qid, scores in run.items():
        top = [docid for docid, _score in ranked(scores)[:k]]
        relevant = {docid: label for docid, label in qrels.get(qid, {}).items() if label > 0}
        if mode == "inject_gold" and relevant and not relevant.keys() & set(top):
            gold = min(relevant, key=lambda docid: (-relevant[docid], docid))  # the best-judged, then the smallest id
            top = [*top[: k - 1], gold] if len(top) >= k else [*top, gold]
        chosen[qid] = top
    return chosen


def rerank_scores(chosen: Mapping[str, Sequence[str]], score: Mapping[tuple[str, str], float]) -> dict[str, dict[str, float]]:
    """The re-ranked run: every candidate of every query with its cross-encoder score (sorted when written)."""
    return {qid: {docid: float(score[(qid, docid)]) for docid in docids} for qid, docids in chosen.items()}


def subset_per_pair(topics: Sequence[Topic], per_pair: int, seed: int) -> list[Topic]:
    """At most ``per_pair`` topics of each (query language, document language) pair, a seeded draw (0 keeps all)."""
    if per_pair <= 0:
        return list(topics)
    by_pair: dict[tuple[str, str], list[Topic]] = {}
    for topic in topics:
        by_pair.setdefault((topic.query_lang, topic.doc_lang), []).append(topic)
    kept = set()
    for pair in sorted(by_pair):
        group = sorted(by_pair[pair], key=lambda t: t.qid)
        kept |= {t.qid for t in (group if len(group) <= per_pair else random.Random(f"{seed}:{pair}").sample(group, per_pair))}
    return [topic for topic in topics if topic.qid in kept]


def baseline_scores(chosen: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """The ``none`` re-ranker: the candidates in their first-stage order (the baseline on the same queries and candidates)."""
    return {qid: {docid: float(len(docids) - rank) for rank, docid in enumerate(docids)} for qid, docids in chosen.items()}


def chance_scores(chosen: Mapping[str, Sequence[str]], seed: int) -> dict[str, dict[str, float]]:
    """The ``chance`` re-ranker: a seeded random order of each query's candidates (what re-ranking must beat)."""
    scores = {}
    for qid, docids in chosen.items():
        rng = random.Random(f"{seed}:{qid}")
        scores[qid] = {docid: round(rng.random(), 6) for docid in docids}
    return scores
