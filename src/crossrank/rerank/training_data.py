"""A dataset's cross-encoder training examples, from its training query-document pairs.

The training side is ``data/train/{dataset}/query_documents.tsv``: queries and their relevant
documents that ``prepare`` keeps apart from every evaluated query and document. A training query
is one (id, language, text); its relevant documents are the documents paired with it; the side's
documents are every document of the file. Easy negatives are drawn from those documents at
random. Hard negatives (the paper's "seemingly relevant but non-match documents") come from one
of two sources, both excluding every document judged relevant for the query:

- ``release``: the release's own ranked candidates of the training query, as ``prepare`` wrote
  them (``data/train/{dataset}/candidates.tsv``: CLIRMatrix's label-0 results, mMARCO's
  training-triple negatives);
- ``retriever``: the top of a first-stage ranking of the training side for the query, by BM25
  (the pipeline's BM25 settings and analyzer) or by any dense encoder of the registry (exact
  cosine search over embeddings from the shared cache).
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crossrank.bm25.analysis import Analyzer
from crossrank.bm25.index import Bm25Settings, index_documents, search
from crossrank.core.contract import Document, Topic
from crossrank.core.errors import InputError
from crossrank.core.io import read_tsv
from crossrank.finetune.pairs import TextPair
from crossrank.rerank.negatives import Example, easy_negatives, examples, hard_negatives

log = logging.getLogger(__name__)

CANDIDATE_COLUMNS = ("id", "rank", "doc_lang", "document")
HARD_SOURCES = ("release", "retriever")


@dataclass(frozen=True)
class Candidate:
    """One judged non-relevant candidate of a training pair's query, at its rank in the release's list."""

    pair_id: str
    rank: int
    doc_lang: str
    text: str


def read_candidates(path: str | os.PathLike[str]) -> list[Candidate]:
    """The training candidates ``prepare`` writes (``candidates.tsv``; header only where the release ranks none)."""
    found = []
    for line, (pair_id, rank, lang, text) in read_tsv(path, CANDIDATE_COLUMNS, header=True):
        if not rank.isdigit():
            raise InputError(path, f"rank {rank!r} is not a whole number.", line=line, fix="re-run the dataset's prepare step.")
        found.append(Candidate(pair_id, int(rank), lang, text))
    return found


@dataclass(frozen=True)
class HardNegatives:
    """Where hard negatives come from: the release's candidates, or a retriever (``bm25`` or an encoder's name).

    ``bm25`` is ``params.yaml``'s ``bm25`` block (the BM25 retriever); ``encoder`` the registry
    entry and ``embedding`` the ``embedding`` block of a dense retriever, which embeds through
    the shared cache under ``cache_root``.
    """

    source: str = "retriever"
    retriever: str = "bm25"
    bm25: Mapping[str, Any] | None = None
    encoder: Mapping[str, Any] | None = None
    embedding: Mapping[str, Any] = field(default_factory=dict)
    cache_root: str = "cache/embeddings"

    def __post_init__(self) -> None:
        if self.source not in HARD_SOURCES:
            raise ValueError(f"hard negatives: unknown source {self.source!r}; use one of {HARD_SOURCES}")
        if self.source == "retriever" and self.retriever == "bm25" and self.bm25 is None:
            raise ValueError("hard negatives by BM25 need the bm25 settings")
        if self.source == "retriever" and self.retriever != "bm25" and self.encoder is None:
            raise ValueError(f"hard negatives by {self.retriever!r} need its encoder registry entry")

    @property
    def description(self) -> str:
        """``release`` or ``retriever:<name>`` (logged and recorded)."""
        return "release" if self.source == "release" else f"retriever:{self.retriever}"


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


def release_rankings(pairs: Sequence[TextPair], candidates: Sequence[Candidate]) -> tuple[dict[str, list[str]], dict[str, Document]]:
    """Each training query's release candidates in rank order (ids as :func:`training_side` names texts), and their documents."""
    query_of = {pair.pair_id: f"{pair.pair_id}|{pair.lang_a}" for pair in pairs}
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    documents: dict[str, Document] = {}
    for candidate in candidates:
        if candidate.pair_id not in query_of:
            continue
        docid = _text_id(candidate.text)
        documents.setdefault(docid, Document(docid, candidate.doc_lang, candidate.text))
        ranked[query_of[candidate.pair_id]].append((candidate.rank, docid))
    return {qid: [docid for _rank, docid in sorted(found)] for qid, found in ranked.items()}, documents


def bm25_rankings(
    queries: Mapping[str, Topic], documents: Mapping[str, Document], bm25: Mapping[str, Any], depth: int
) -> dict[str, list[str]]:
    """Each training query's top ``depth`` training documents by BM25, with the pipeline's BM25 settings and analyzer."""
    analyzer = Analyzer(**bm25["analyzer"])
    settings = Bm25Settings(**{k: bm25[k] for k in ("backend", "variant", "k1", "b", "delta", "epsilon")})
    index = index_documents([documents[d] for d in sorted(documents)], analyzer, settings)
    found = search(index, [queries[q] for q in sorted(queries)], analyzer, depth)
    return {qid: [docid for docid, _score in ranking] for qid, ranking in found.items()}


def dense_rankings(
    queries: Mapping[str, Topic], documents: Mapping[str, Document], hard: HardNegatives, depth: int
) -> dict[str, list[str]]:
    """Each training query's top ``depth`` training documents by a registry encoder (cosine, exact, cached embeddings)."""
    from crossrank.core.encoder_model import EncoderSpec
    from crossrank.dense.embedding import Embedder
    from crossrank.dense.encoders import EmbeddingSettings
    from crossrank.dense.exact import exact_search

    spec = EncoderSpec.from_params(hard.retriever, dict(hard.encoder or {}))
    embedder = Embedder(spec, EmbeddingSettings.from_params(hard.embedding), hard.cache_root)
    docids, qids = sorted(documents), sorted(queries)
    doc_vectors = embedder.embed([spec.model_input(documents[d].text, "document") for d in docids])
    query_vectors = embedder.embed([spec.model_input(queries[q].text, "query") for q in qids])
    found = exact_search(query_vectors, doc_vectors, docids, min(depth, len(docids)))
    return {qid: [docid for docid, _score in ranking] for qid, ranking in zip(qids, found, strict=True)}


def training_examples(
    pairs: Sequence[TextPair],
    negatives: str,
    per_positive: int,
    seed: int,
    max_queries: int,
    hard: HardNegatives | None = None,
    candidates: Sequence[Candidate] = (),
) -> list[Example]:
    """Every (capped, seeded) training query's positives and ``per_positive`` negatives each, by the ``negatives`` strategy."""
    queries, documents, relevant = training_side(pairs)
    if max_queries and len(queries) > max_queries:
        kept = set(random.Random(seed).sample(sorted(queries), max_queries))
        relevant = {qid: docs for qid, docs in relevant.items() if qid in kept}
    texts = {docid: d.text for docid, d in documents.items()}
    if negatives == "easy":
        drawn = easy_negatives(relevant, list(documents), per_positive, seed)
    elif negatives == "hard":
        if hard is None:
            raise ValueError("hard negatives need their source (the release's candidates or a retriever)")
        most = max(len(docs) for docs in relevant.values())
        wanted = {qid: queries[qid] for qid in relevant}
        if hard.source == "release":
            rankings, candidate_documents = release_rankings(pairs, candidates)
            texts |= {docid: d.text for docid, d in candidate_documents.items()}
        elif hard.retriever == "bm25":
            rankings = bm25_rankings(wanted, documents, hard.bm25 or {}, per_positive * most + most)
        else:
            rankings = dense_rankings(wanted, documents, hard, per_positive * most + most)
        drawn = hard_negatives(relevant, rankings, per_positive)
        short = sum(1 for qid in relevant if len(drawn[qid]) < per_positive * len(relevant[qid]))
        if short:  # a retriever ranks too few, or the release lists too few: no filling with random ones
            log.warning("hard negatives (%s): %d of %d training queries have fewer than wanted", hard.description, short, len(relevant))
    else:
        raise ValueError(f"unknown negatives {negatives!r}; use easy or hard")
    return examples({qid: topic.text for qid, topic in queries.items()}, texts, relevant, drawn)
