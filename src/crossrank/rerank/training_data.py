"""A dataset's cross-encoder training examples, from its training query-document pairs.

The training side is ``data/train/{dataset}/query_documents.tsv``: queries and their relevant
documents that ``prepare`` keeps apart from every evaluated query and document. A training query
is one (id, language, text); its relevant documents are the documents paired with it; the side's
documents are every document of the file. Easy negatives are drawn from those documents at
random, hard negatives are the top of BM25 over them for the query (the paper's "seemingly
relevant but non-match documents"), both excluding every document judged relevant for the query.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.bm25.analysis import Analyzer
from crossrank.bm25.index import Bm25Settings, index_documents, search
from crossrank.core.contract import Document, Topic
from crossrank.finetune.pairs import TextPair
from crossrank.rerank.negatives import Example, easy_negatives, examples, hard_negatives

log = logging.getLogger(__name__)


def _text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def training_side(pairs: Sequence[TextPair]) -> tuple[dict[str, Topic], dict[str, Document], dict[str, set[str]]]:
    """``(queries, documents, relevant)`` of the training pairs: each query by ``id|language``, each document by its text's hash."""
    queries: dict[str, Topic] = {}
    documents: dict[str, Document] = {}
    relevant: dict[str, set[str]] = {}
    for pair in pairs:
        qid = f"{pair.pair_id}|{pair.lang_a}"
        docid = _text_id(pair.text_b)
        queries.setdefault(qid, Topic(qid, pair.lang_a, pair.lang_b, pair.text_a))
        documents.setdefault(docid, Document(docid, pair.lang_b, pair.text_b))
        relevant.setdefault(qid, set()).add(docid)
    return queries, documents, relevant


def bm25_rankings(
    queries: Mapping[str, Topic], documents: Mapping[str, Document], bm25: Mapping[str, Any], depth: int
) -> dict[str, list[str]]:
    """Each training query's top ``depth`` training documents by BM25, with the pipeline's BM25 settings and analyzer."""
    analyzer = Analyzer(**bm25["analyzer"])
    settings = Bm25Settings(**{k: bm25[k] for k in ("backend", "variant", "k1", "b", "delta", "epsilon")})
    index = index_documents([documents[d] for d in sorted(documents)], analyzer, settings)
    found = search(index, [queries[q] for q in sorted(queries)], analyzer, depth)
    return {qid: [docid for docid, _score in ranking] for qid, ranking in found.items()}


def training_examples(
    pairs: Sequence[TextPair], negatives: str, per_positive: int, seed: int, max_queries: int, bm25: Mapping[str, Any] | None = None
) -> list[Example]:
    """Every (capped, seeded) training query's positives and ``per_positive`` negatives each, by the ``negatives`` strategy."""
    queries, documents, relevant = training_side(pairs)
    if max_queries and len(queries) > max_queries:
        kept = set(random.Random(seed).sample(sorted(queries), max_queries))
        relevant = {qid: docs for qid, docs in relevant.items() if qid in kept}
    if negatives == "easy":
        drawn = easy_negatives(relevant, list(documents), per_positive, seed)
    elif negatives == "hard":
        if bm25 is None:
            raise ValueError("hard negatives need the BM25 settings of the first stage")
        depth = per_positive * max(len(docs) for docs in relevant.values()) + max(len(docs) for docs in relevant.values())
        wanted = {qid: queries[qid] for qid in relevant}
        drawn = hard_negatives(relevant, bm25_rankings(wanted, documents, bm25, depth), per_positive)
        short = sum(1 for qid in relevant if len(drawn[qid]) < per_positive * len(relevant[qid]))
        if short:  # BM25 ranks only documents sharing a term with the query: no filling with random ones
            log.warning("hard negatives: %d of %d training queries have fewer than wanted (BM25 found too few)", short, len(relevant))
    else:
        raise ValueError(f"unknown negatives {negatives!r}; use easy or hard")
    texts = {qid: topic.text for qid, topic in queries.items()}
    return examples(texts, {docid: d.text for docid, d in documents.items()}, relevant, drawn)
