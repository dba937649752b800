"""CLIRMatrix as the paper uses it: all ordered pairs of distinct languages, N queries per pair, one pool.

Per ordered pair (query language X, document language Y, X != Y) the queries of the evaluated
split are read from ``X.Y.{split}.jl.gz``; judged documents missing from ``DOCS/Y.tsv.gz`` are
dropped (counted, with a warning), and so are judged documents whose text is empty (counted
per language: they would be indexed as nothing). A query is not eligible when its text is empty,
when it has no relevant document (label >= 1) left, or when its relevant documents all have
empty text; each reason is counted per pair in the statistics table. ``queries_per_pair`` of
the eligible queries are drawn uniformly (seeded per pair). The pool is the union, over all
pairs, of the sampled queries' documents chosen by ``pool``:

- ``top``: each query's highest-labelled documents (the reading consistent with the paper's
  9,055 documents, 1,080-1,205 per language, from 1,000 queries per pair);
- ``relevant``: every document judged relevant (label >= 1);
- ``judged``: every judged document, label 0 included (hard distractors).

Documents are named ``{lang}-{doc_id}`` because CLIRMatrix ids are Wikipedia page ids, which
repeat across languages; qrels keep each topic's graded labels for the documents in the pool.
Training pairs come from the training split: sampled queries with their top document, minus
any whose document is in the evaluation pool and any whose text is empty (empty documents are
never training material either). Each training query also keeps its first
``train_candidates_per_query`` judged candidates with label 0, in the release's order and never a
pool document: the release's own hard negatives for cross-encoder re-ranking.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from crossrank.core.contract import Document, Topic
from crossrank.core.errors import ConfigError
from crossrank.prepare.prepared import (
    PreparedDataset,
    Statistic,
    TrainingCandidate,
    TrainingPair,
    counted,
    counted_reasons,
    is_empty,
    pool_statistics,
)
from crossrank.prepare.protocols.settings import ReleaseSettings, check_languages, check_template
from crossrank.prepare.readers import clirmatrix
from crossrank.prepare.sampling import PairSampler

log = logging.getLogger(__name__)

MULTI8_LANGUAGES = ("ar", "de", "en", "es", "fr", "ja", "ru", "zh")
# The 139 Wikipedia languages of BI-139 (codes as in the release and in ir_datasets).
# fmt: off
BI139_LANGUAGES = (
    "af", "als", "am", "an", "ar", "arz", "ast", "az", "azb", "ba", "bar", "be", "bg", "bn", "bpy", "br", "bs", "bug",
    "ca", "cdo", "ce", "ceb", "ckb", "cs", "cv", "cy", "da", "de", "diq", "el", "eml", "en", "eo", "es", "et", "eu",
    "fa", "fi", "fo", "fr", "fy", "ga", "gd", "gl", "gu", "he", "hi", "hr", "hsb", "ht", "hu", "hy", "ia", "id", "ilo",
    "io", "is", "it", "ja", "jv", "ka", "kk", "kn", "ko", "ku", "ky", "la", "lb", "li", "lmo", "lt", "lv", "mai", "mg",
    "mhr", "min", "mk", "ml", "mn", "mr", "mrj", "ms", "my", "mzn", "nap", "nds", "ne", "new", "nl", "nn", "no", "oc",
    "or", "os", "pa", "pl", "pms", "pnb", "ps", "pt", "qu", "ro", "ru", "sa", "sah", "scn", "sco", "sd", "sh", "si",
    "simple", "sk", "sl", "sq", "sr", "su", "sv", "sw", "szl", "ta", "te", "tg", "th", "tl", "tr", "tt", "uk", "ur",
    "uz", "vec", "vi", "vo", "wa", "war", "wuu", "xmf", "yi", "yo", "zh",
)
# fmt: on
COLLECTIONS = {"multi8": MULTI8_LANGUAGES, "bi139-base": BI139_LANGUAGES, "bi139-full": BI139_LANGUAGES}
POOLS = ("top", "relevant", "judged")
# The paper's own figures (its section 3.1), written beside ours in the statistics table.
PAPER_STATISTICS: list[Statistic] = [
    ("paper", "documents", 9055),
    ("paper", "test_queries_per_pair", 1000),
    ("paper", "test_queries", 56000),
]


@dataclass(frozen=True)
class ClirMatrixSettings(ReleaseSettings):
    """The ``clirmatrix`` block of ``params.yaml`` with the release directory resolved."""

    root: Path
    languages: tuple[str, ...] = MULTI8_LANGUAGES
    collection: str = "multi8"
    queries: str = "MULTI-8/{qlang}/{qlang}.{dlang}.{split}.jl.gz"
    documents: str = "DOCS/{lang}.tsv.gz"
    split: str = "test1"
    train_split: str = "train"
    queries_per_pair: int = 1000
    train_queries_per_pair: int = 1000
    train_candidates_per_query: int = 3
    pool: str = "top"
    seed: int = 2025

    def check(self) -> None:
        """Raise ConfigError for an unknown collection, language, pool or file template."""
        if self.collection not in COLLECTIONS:
            raise ConfigError(f"params.yaml 'clirmatrix.collection': {self.collection!r} is not one of {sorted(COLLECTIONS)}.")
        check_languages("clirmatrix", self.languages, COLLECTIONS[self.collection])
        if self.pool not in POOLS:
            raise ConfigError(f"params.yaml 'clirmatrix.pool': {self.pool!r} is not one of {list(POOLS)}.")
        check_template("clirmatrix", "queries", self.queries, ("qlang", "dlang", "split"), ("qlang", "dlang", "split"))
        check_template("clirmatrix", "documents", self.documents, ("lang",), ("lang",))
        if not isinstance(self.train_candidates_per_query, int) or self.train_candidates_per_query < 0:
            raise ConfigError("params.yaml 'clirmatrix.train_candidates_per_query': use a whole number >= 0 (0 keeps none).")
        if self.train_queries_per_pair and self.train_split == self.split:
            raise ConfigError(
                f"params.yaml 'clirmatrix.train_split' is the evaluated split {self.split!r}: training pairs would leak test queries. "
                "Fix: use the release's train split, or set train_queries_per_pair: 0."
            )

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """Every ordered pair of distinct languages (CLIRMatrix has no same-language pairs)."""
        return [(q, d) for q in self.languages for d in self.languages if q != d]

    def query_file(self, query_lang: str, doc_lang: str, split: str) -> str:
        return self.queries.format(qlang=query_lang, dlang=doc_lang, split=split)

    def document_file(self, lang: str) -> str:
        return self.documents.format(lang=lang)

    @property
    def splits(self) -> list[str]:
        return [self.split] + ([self.train_split] if self.train_queries_per_pair else [])


def raw_files(settings: ClirMatrixSettings) -> list[str]:
    """Every release file the protocol reads, relative to ``settings.root``."""
    files = [settings.query_file(q, d, split) for split in settings.splits for q, d in settings.pairs]
    return files + [settings.document_file(lang) for lang in settings.languages]


def training_files(settings: ClirMatrixSettings) -> list[str]:
    """The files of :func:`raw_files` read only for training pairs (the training split's query files)."""
    if not settings.train_queries_per_pair:
        return []
    return [settings.query_file(q, d, settings.train_split) for q, d in settings.pairs]


def docid(lang: str, source_id: str) -> str:
    """The pool's document id: CLIRMatrix ids are per-language Wikipedia page ids."""
    return f"{lang}-{source_id}"


def topic_id(query_lang: str, doc_lang: str, source_id: str) -> str:
    """The evaluated query's id: the same source query is a different topic in every pair."""
    return f"{query_lang}-{doc_lang}-{source_id}"


def _pooled(query: clirmatrix.ClirMatrixQuery, rule: str) -> set[str]:
    if rule == "judged":
        return set(query.judgments)
    relevant = query.relevant()
    if rule == "relevant":
        return set(relevant)
    best = max(relevant.values())
    return {doc for doc, label in relevant.items() if label == best}


def _top_document(query: clirmatrix.ClirMatrixQuery) -> str:
    """The query's training positive: the first (by id) of its highest-labelled documents."""
    return min(_pooled(query, "top"))


def _negative_candidates(query: clirmatrix.ClirMatrixQuery, excluded: set[str], count: int) -> list[str]:
    """The first ``count`` label-0 results of a training query in release order, none of them in ``excluded`` (the pool)."""
    return [doc for doc, label in query.judgments.items() if label == 0 and doc not in excluded][:count]


Queries = dict[tuple[str, str], list[clirmatrix.ClirMatrixQuery]]


def _read_pairs(settings: ClirMatrixSettings, split: str, wanted: Mapping[tuple[str, str], set[str]] | None = None) -> Queries:
    """``{(q, d): [queries]}`` of a split; with ``wanted``, only those source ids are kept (memory)."""
    by_pair: Queries = {}
    for q, d in tqdm(settings.pairs, desc=f"clirmatrix {split} queries", unit="pair", mininterval=5):
        keep = None if wanted is None else wanted[(q, d)]
        path = settings.root / settings.query_file(q, d, split)
        by_pair[(q, d)] = [query for query in clirmatrix.read_queries(path) if keep is None or query.qid in keep]
    return by_pair


def _source_ids(settings: ClirMatrixSettings, split: str) -> dict[tuple[str, str], list[str]]:
    """Source ids of every query with a relevant judgment, per pair (a light first pass for large splits)."""
    return {
        (q, d): [query.qid for query in clirmatrix.read_queries(settings.root / settings.query_file(q, d, split)) if query.relevant()]
        for q, d in settings.pairs
    }


# Why an evaluated split's query is not eligible, one reason per query, checked in this order (statistics.csv).
QUERY_DROPS = ("queries_empty_text", "queries_without_relevant", "queries_relevant_empty_text")


def _eligible(
    queries: list[clirmatrix.ClirMatrixQuery], empty_documents: set[str], dropped: Counter[str]
) -> list[clirmatrix.ClirMatrixQuery]:
    """The queries of one pair that can be evaluated, without their judgments of empty documents; the others are
    counted in ``dropped`` by reason: empty text, no relevant document in the release (or only missing ones), or
    relevant documents that all have empty text."""
    eligible = []
    for query in queries:
        usable = clirmatrix.drop_judgments([query], empty_documents)[0]
        if is_empty(query.text):
            dropped["queries_empty_text"] += 1
        elif not query.relevant():
            dropped["queries_without_relevant"] += 1
        elif not usable.relevant():
            dropped["queries_relevant_empty_text"] += 1
        else:
            eligible.append(usable)
    return eligible


def prepare(settings: ClirMatrixSettings) -> PreparedDataset:
    """Draw the evaluated queries and the pool, and training pairs from the training split."""
    test = _read_pairs(settings, settings.split)
    train_sampler = PairSampler("clirmatrix", settings.seed, settings.train_queries_per_pair, label="train_queries")
    train: Queries = {}
    if settings.train_queries_per_pair:
        candidates = _source_ids(settings, settings.train_split)
        drawn = {pair: set(train_sampler.draw(*pair, ids)) for pair, ids in candidates.items()}
        train = _read_pairs(settings, settings.train_split, drawn)

    judged: dict[str, set[str]] = defaultdict(set)
    for (_q, d), queries in [*test.items(), *train.items()]:
        for query in queries:
            judged[d].update(query.judgments)
    present = {
        lang: clirmatrix.present_ids(settings.root / settings.document_file(lang), judged[lang])
        for lang in tqdm(settings.languages, desc="clirmatrix documents (ids)", unit="language")
    }

    sampler = PairSampler("clirmatrix", settings.seed, settings.queries_per_pair)
    missing: Counter[str] = Counter()
    dropped_queries: dict[str, Counter[str]] = defaultdict(Counter)
    sampled: Queries = {}
    for (q, d), queries in test.items():
        pair = f"{q}-{d}"
        kept, missing[pair] = clirmatrix.restrict_to_corpus(queries, present[d].all, f"clirmatrix {q}.{d}.{settings.split}")
        eligible = {query.qid: query for query in _eligible(kept, present[d].empty, dropped_queries[pair])}
        sampled[(q, d)] = [eligible[qid] for qid in sampler.draw(q, d, eligible)]

    pool: dict[str, set[str]] = defaultdict(set)
    for (_q, d), queries in sampled.items():
        for query in queries:
            pool[d] |= _pooled(query, settings.pool)

    # A query evaluated in one pair must not be trained on in another (same source id or text in its language).
    evaluated = {(q, key) for (q, _d), queries in sampled.items() for query in queries for key in (query.qid, query.text)}
    training_rows: list[tuple[str, str, str, str, str]] = []
    negatives: dict[tuple[str, str, str], list[str]] = {}
    dropped: Counter[str] = Counter()
    for (q, d), queries in train.items():
        kept, _ = clirmatrix.restrict_to_corpus(queries, present[d].all, f"clirmatrix {q}.{d}.{settings.train_split}")
        for query in clirmatrix.drop_judgments(kept, present[d].empty):
            if is_empty(query.text):
                dropped["dropped_query_empty_text"] += 1
                continue
            if not query.relevant():
                dropped["dropped_documents_missing"] += 1
                continue
            top = _top_document(query)
            if top in pool[d]:
                dropped["dropped_document_in_pool"] += 1
            elif (q, query.qid) in evaluated or (q, query.text) in evaluated:
                dropped["dropped_query_evaluated"] += 1
            else:
                training_rows.append((query.qid, q, query.text, d, top))
                negatives[(q, d, query.qid)] = _negative_candidates(query, pool[d], settings.train_candidates_per_query)

    wanted_texts = defaultdict(set)
    for d, ids in pool.items():
        wanted_texts[d] |= ids
    for qid, q, _text, d, top in training_rows:
        wanted_texts[d] |= {top, *negatives[(q, d, qid)]}
    texts = {
        lang: clirmatrix.read_documents(settings.root / settings.document_file(lang), wanted_texts[lang])
        for lang in tqdm(settings.languages, desc="clirmatrix documents (texts)", unit="language")
    }

    documents = [Document(docid(lang, doc), lang, texts[lang][doc]) for lang in settings.languages for doc in sorted(pool[lang])]
    topics, qrels = [], {}
    for (q, d), queries in sampled.items():
        for query in queries:
            qid = topic_id(q, d, query.qid)
            topics.append(Topic(qid, q, d, query.text))
            qrels[qid] = {docid(d, doc): label for doc, label in query.judgments.items() if doc in pool[d]}
    query_documents: list[TrainingPair] = [(f"{q}-{d}-{qid}", q, text, d, texts[d][top]) for qid, q, text, d, top in training_rows]
    candidates: list[TrainingCandidate] = [
        (f"{q}-{d}-{qid}", rank, d, texts[d][doc])
        for qid, q, _text, d, _top in training_rows
        for rank, doc in enumerate(negatives[(q, d, qid)], start=1)
    ]

    statistics = pool_statistics(documents, topics) + sampler.statistics()
    statistics += [("missing_documents", pair, n) for pair, n in sorted(missing.items()) if n]
    statistics += counted("documents_empty_text", {lang: len(present[lang].empty) for lang in settings.languages})
    statistics += counted_reasons(QUERY_DROPS, dropped_queries)
    if settings.train_queries_per_pair:
        statistics += train_sampler.statistics()
        statistics.append(("training", "query_documents", len(query_documents)))
        statistics.append(("training", "candidates", len(candidates)))
        reasons = ("dropped_document_in_pool", "dropped_query_evaluated", "dropped_documents_missing", "dropped_query_empty_text")
        statistics += [("training", reason, dropped[reason]) for reason in reasons]
    log.info("clirmatrix: %d documents, %d topics, %d training pairs", len(documents), len(topics), len(query_documents))
    return PreparedDataset(
        documents, topics, qrels, statistics + PAPER_STATISTICS, query_documents=query_documents, training_candidates=candidates
    )
