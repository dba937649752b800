"""BM25 indexing and search through two libraries: ``bm25s`` (default) and ``rank_bm25``.

``bm25s`` precomputes a sparse document-term score matrix and scores a query in well under a
millisecond on 10k documents; ``rank_bm25`` loops over documents in Python (per query ~15x slower
on the demo pool and ~150x at 100k documents, see benchmarks/bm25.py)
but is the library the paper's design names, so it stays selectable. The two implement
different BM25 variants; the variant and its parameters are explicit settings, and the
formulas are those of Kamphuis et al. (ECIR 2020), as both libraries document.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from crossrank.bm25.analysis import Analyzer
from crossrank.core.contract import Document, Topic
from crossrank.core.io import atomic_directory
from crossrank.core.runs import DocidOrder, Ranking, top_k

VARIANTS = {
    "bm25s": ("lucene", "robertson", "atire", "bm25l", "bm25+"),
    "rank_bm25": ("okapi", "bm25l", "bm25+"),
}


@dataclass(frozen=True)
class Bm25Settings:
    """Which library and BM25 variant to use, and its parameters.

    ``delta`` is used by the ``bm25l`` and ``bm25+`` variants, ``epsilon`` (the idf floor as a
    fraction of the mean idf) by rank_bm25's ``okapi`` only.
    """

    backend: str = "bm25s"
    variant: str = "lucene"
    k1: float = 1.2
    b: float = 0.75
    delta: float = 0.5
    epsilon: float = 0.25

    def __post_init__(self) -> None:
        if self.backend not in VARIANTS:
            raise ValueError(f"unknown BM25 backend {self.backend!r}; choose one of {sorted(VARIANTS)}")
        if self.variant not in VARIANTS[self.backend]:
            raise ValueError(f"BM25 backend {self.backend!r} has no variant {self.variant!r}; choose one of {list(VARIANTS[self.backend])}")


class Bm25Index:
    """A BM25 index over a fixed list of documents, scoring tokenized queries."""

    def __init__(self, settings: Bm25Settings, docids: Sequence[str], engine: object, corpus_terms: list[list[str]] | None = None):
        self.settings = settings
        self.docids = list(docids)
        self._engine = engine
        self._corpus_terms = corpus_terms

    @classmethod
    def build(cls, settings: Bm25Settings, docids: Sequence[str], corpus_terms: list[list[str]]) -> Bm25Index:
        """Index ``corpus_terms`` (one term list per document, aligned with ``docids``)."""
        if not docids:
            raise ValueError("cannot build a BM25 index over an empty corpus")
        return cls(settings, docids, _make_engine(settings, corpus_terms), corpus_terms if settings.backend == "rank_bm25" else None)

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for one query (terms repeated in the query count repeatedly)."""
        if self.settings.backend == "bm25s":
            known = [t for t in query_terms if t in self._engine.vocab_dict]
            if not known:
                return np.zeros(len(self.docids), dtype=np.float32)
            return self._engine.get_scores(known)
        return np.asarray(self._engine.get_scores(list(query_terms)), dtype=np.float64)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Write the index to ``directory`` atomically (built aside, then renamed into place)."""
        with atomic_directory(directory) as staging:
            meta = {"settings": asdict(self.settings), "docids": self.docids}
            (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            if self.settings.backend == "bm25s":
                self._engine.save(str(staging / "bm25s"))
            else:
                with open(staging / "corpus_terms.jsonl", "w", encoding="utf-8") as handle:
                    for terms in self._corpus_terms or []:
                        handle.write(json.dumps(terms, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Bm25Index:
        """Load an index written by :meth:`save`."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        settings = Bm25Settings(**meta["settings"])
        if settings.backend == "bm25s":
            import bm25s

            engine = bm25s.BM25.load(str(directory / "bm25s"))
            return cls(settings, meta["docids"], engine)
        with open(directory / "corpus_terms.jsonl", encoding="utf-8") as handle:
            corpus_terms = [json.loads(line) for line in handle]
        return cls(settings, meta["docids"], _make_engine(settings, corpus_terms), corpus_terms)


def _make_engine(settings: Bm25Settings, corpus_terms: list[list[str]]) -> object:
    if settings.backend == "bm25s":
        import bm25s

        engine = bm25s.BM25(method=settings.variant, k1=settings.k1, b=settings.b, delta=settings.delta)
        # Our own vocabulary, in sorted order: given terms, bm25s numbers them in the iteration order of a set of
        # strings, which changes with each process's hash seed, so the saved index (term ids, matrix) differed
        # between two runs of the same pipeline (the scores did not). Sorted, the same corpus gives the same bytes.
        vocabulary = {term: number for number, term in enumerate(sorted({term for terms in corpus_terms for term in terms}))}
        engine.index(([[vocabulary[term] for term in terms] for terms in corpus_terms], vocabulary), show_progress=False)
        return engine
    import rank_bm25

    if not any(corpus_terms):
        raise ValueError("every document analyzed to zero terms; BM25 has nothing to index")
    terms = [list(doc) for doc in corpus_terms]
    if settings.variant == "okapi":
        return rank_bm25.BM25Okapi(terms, k1=settings.k1, b=settings.b, epsilon=settings.epsilon)
    if settings.variant == "bm25l":
        return rank_bm25.BM25L(terms, k1=settings.k1, b=settings.b, delta=settings.delta)
    return rank_bm25.BM25Plus(terms, k1=settings.k1, b=settings.b, delta=settings.delta)


def index_documents(documents: Sequence[Document], analyzer: Analyzer, settings: Bm25Settings) -> Bm25Index:
    """Analyze each document in its own language and index the pool."""
    corpus_terms = [analyzer.tokens(doc.text, doc.lang) for doc in tqdm(documents, desc="analyze documents", unit="doc")]
    return Bm25Index.build(settings, [doc.docid for doc in documents], corpus_terms)


def search(index: Bm25Index, topics: Sequence[Topic], analyzer: Analyzer, k: int) -> dict[str, Ranking]:
    """Top-``k`` documents scoring above zero for every topic, analyzed in its query language."""
    order = DocidOrder(index.docids)
    rankings: dict[str, Ranking] = {}
    for topic in tqdm(topics, desc="bm25 search", unit="query"):
        scores = index.scores(analyzer.tokens(topic.text, topic.query_lang))
        rankings[topic.qid] = top_k(scores, k, order, positive_only=True)
    return rankings
