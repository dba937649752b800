"""Document-language bias of a run: the paper's Figure 6 and Figure 8, made precise.

A multilingual ranker can prefer documents by their language rather than their content. Two
measures quantify that from a run alone (no relevance judgments), each next to what a
language-blind ranker, retrieving uniformly from the pool, would give.

The ranking of a query is its documents by score descending, ties broken by docid in
descending byte order (trec_eval's order, as in :mod:`crossrank.core.runs`); scores are rounded to
``runs.SCORE_DECIMALS`` first, as :func:`crossrank.core.runs.top_k` does (a no-op for runs written
by :func:`crossrank.core.runs.write_run`). Only the top ``depth`` documents count; a query that
retrieved fewer counts what it retrieved, and a query that retrieved nothing is skipped.

``same_language`` (all queries, judged or not)
    For a query, the share of its top-``depth`` documents written in the query's language.
    Per query language: the mean over that language's queries (``doc_lang`` = the query
    language). ``all``: the macro mean over query languages, as the project averages over
    pairs. ``expected``: the share of pool documents written in the query language; for
    ``all``, the mean of the per-language expectations.

``retrieved_language`` (only queries whose relevant documents are in another language, query_lang != doc_lang)
    For query language q and pool language L: the mean over q's cross-language queries of the
    share of their top-``depth`` documents written in L (``doc_lang`` = L). Every pool language
    gets a row, 0.0 when never retrieved, so the values of one query language sum to 1.
    ``all``: for each L, the mean over query languages. ``expected``: the pool share of L.

Languages are compared as written: a variety counts as its language
(:func:`crossrank.core.contract.base_language`), so Large-Scale's Simple English documents are
English documents for an English query, and an English query whose relevant document is Simple
English is a same-language query, as the paper's Table 1 counts it.

``n_queries`` counts the queries that contribute (for ``all``, summed over query languages).
Values are rounded to 6 decimals, as :func:`crossrank.evaluate.metrics.metrics_frame` does.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from crossrank.core.contract import MACRO, Topic, base_language
from crossrank.core.errors import InputError
from crossrank.core.run_name import RunName
from crossrank.core.runs import DocidOrder, top_k

BIAS_COLUMNS: tuple[str, ...] = (
    "dataset",
    "run",
    "system",
    "condition",
    "measure",
    "query_lang",
    "doc_lang",
    "value",
    "expected",
    "n_queries",
)
SAME_LANGUAGE = "same_language"
RETRIEVED_LANGUAGE = "retrieved_language"
DECIMALS = 6


def ranked_docids(scores: Mapping[str, float], depth: int) -> list[str]:
    """The ``depth`` best docids of one query in trec_eval order (score descending, docid descending bytes).

    The rank column of a run file is not trusted: trec_eval re-sorts by score, so this does too.
    """
    if depth <= 0 or not scores:
        return []
    docids = list(scores)
    ranking = top_k(np.fromiter(scores.values(), dtype=np.float64, count=len(docids)), depth, DocidOrder(docids))
    return [docid for docid, _ in ranking]


def language_bias(
    dataset: str,
    run_name: str,
    run: Mapping[str, Mapping[str, float]],
    topics: Sequence[Topic],
    doc_langs: Mapping[str, str],
    depth: int,
    source: str = "run",
) -> pd.DataFrame:
    """Tidy ``BIAS_COLUMNS`` rows of both measures for one run (see the module docstring).

    ``doc_langs`` is the whole pool (``docs.tsv``); ``source`` names the run in error messages.
    Raises InputError when the run names a query outside ``topics`` or a document outside the
    pool: either means the run was not produced from this dataset.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    if not doc_langs:
        raise ValueError("doc_langs is empty; pass the docid -> lang table of the whole pool (docs.tsv)")
    parsed = RunName.parse(run_name)
    by_qid = {t.qid: t for t in topics}
    _check_run(run, by_qid, doc_langs, source)
    doc_langs = {docid: base_language(lang) for docid, lang in doc_langs.items()}
    by_qid = {qid: Topic(t.qid, base_language(t.query_lang), base_language(t.doc_lang), t.text) for qid, t in by_qid.items()}

    pool_counts = Counter(doc_langs.values())
    pool_share = {lang: count / len(doc_langs) for lang, count in pool_counts.items()}
    pool_languages = sorted(pool_share)

    same: dict[str, list[float]] = defaultdict(list)
    retrieved: dict[str, list[Counter[str]]] = defaultdict(list)
    for qid in sorted(by_qid):
        topic = by_qid[qid]
        top = ranked_docids(run.get(qid, {}), depth)
        if not top:
            continue
        languages = Counter(doc_langs[docid] for docid in top)
        same[topic.query_lang].append(languages[topic.query_lang] / len(top))
        if topic.query_lang != topic.doc_lang:
            retrieved[topic.query_lang].append(Counter({lang: n / len(top) for lang, n in languages.items()}))

    rows: list[tuple[str, str, str, float, float, int]] = []  # (measure, query_lang, doc_lang, value, expected, n_queries)
    if same:
        per_language = {q: (_mean(shares), pool_share.get(q, 0.0), len(shares)) for q, shares in same.items()}
        rows += [(SAME_LANGUAGE, q, q, value, expected, n) for q, (value, expected, n) in per_language.items()]
        rows.append(
            (
                SAME_LANGUAGE,
                MACRO,
                MACRO,
                _mean([v for v, _, _ in per_language.values()]),
                _mean([e for _, e, _ in per_language.values()]),
                sum(n for _, _, n in per_language.values()),
            )
        )
    if retrieved:
        total = sum(len(shares) for shares in retrieved.values())
        for lang in pool_languages:
            means = {q: _mean([s[lang] for s in shares]) for q, shares in retrieved.items()}
            rows += [(RETRIEVED_LANGUAGE, q, lang, means[q], pool_share[lang], len(retrieved[q])) for q in means]
            rows.append((RETRIEVED_LANGUAGE, MACRO, lang, _mean(list(means.values())), pool_share[lang], total))

    records = [
        (dataset, run_name, parsed.retriever, parsed.condition, measure, q, d, round(value, DECIMALS), round(expected, DECIMALS), n)
        for measure, q, d, value, expected, n in rows
    ]
    return sort_bias(pd.DataFrame(records, columns=list(BIAS_COLUMNS)))


def sort_bias(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical row order: dataset, run, measure, macro rows first, then query and document language."""
    frame = frame.assign(_macro=frame["query_lang"] != MACRO)
    frame = frame.sort_values(["dataset", "run", "measure", "_macro", "query_lang", "doc_lang"], kind="stable")
    return frame.drop(columns="_macro").reset_index(drop=True)


def macro_rows(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The ``all`` rows of one measure; the frame must hold one dataset, since run names repeat across datasets."""
    datasets = sorted(set(frame["dataset"]))
    if len(datasets) > 1:
        raise ValueError(f"the bias frame holds several datasets {datasets}; select one dataset first")
    return frame[(frame["measure"] == measure) & (frame["query_lang"] == MACRO)]


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _check_run(run: Mapping[str, Mapping[str, float]], topics: Mapping[str, Topic], doc_langs: Mapping[str, str], source: str) -> None:
    """Reject a run that does not belong to these topics or this pool, naming the first offender."""
    unknown_queries = sorted(qid for qid in run if qid not in topics)
    if unknown_queries:
        raise InputError(
            source,
            f"query {unknown_queries[0]!r} is not in the topics ({len(unknown_queries)} such queries in the run).",
            fix="pass the topics.tsv of the dataset this run was produced from.",
        )
    unknown_docs = sorted((qid, docid) for qid, scores in run.items() for docid in scores if docid not in doc_langs)
    if unknown_docs:
        qid, docid = unknown_docs[0]
        raise InputError(
            source,
            f"query {qid!r} retrieved document {docid!r}, not in the document pool ({len(unknown_docs)} such documents in the run).",
            fix="pass the docs.tsv of the dataset this run was produced from, or re-run the search if the pool changed.",
        )
