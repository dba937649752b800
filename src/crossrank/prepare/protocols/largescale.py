"""The Large-Scale CLIR dataset (Sasaki et al., 2018) as the paper uses it: English queries, N per document language.

Two releases are read. The split release (``release: split``, the one used for experiments):
per document language, ``data_en_{lang}/{split}.txt`` lines ``rel<TAB>query<TAB>document``;
queries and documents carry no ids, so ids are hashes of their text (documents per language,
``{lang}-<hash>``). The full release (``release: full``): ``wiki_en.queries``,
``wiki_{lang}.documents`` and ``en2{lang}.rel``; ids are the release's, documents prefixed
with their language (Wikipedia page ids repeat across languages).

Per document language Y, ``queries_per_pair`` English queries with a relevant document are
drawn uniformly (seeded per pair). The pool (``pool``) is either every document judged for a
drawn query (``judged``: in the split release the relevant articles and the 0-label negatives
listed with them, in the full release the relevant articles, as it lists no negatives), or
only each drawn query's linked article (``linked``: its rel-2 document, its best-labelled one
where it has no rel 2), about one document per query as in the paper's collections of "7k to
26k documents" (section 4.3). Qrels keep each topic's labels for the documents in the pool, so
in ``linked`` mode a query can still judge another query's article. Training pairs pair a query with its
most relevant document: from the training split in the split release, from the queries
evaluated in no pair in the full release; a pair whose document or query text is evaluated is
dropped and counted.

Empty texts are never indexed nor asked; the statistics table counts, per pair ``en-{lang}``,
each reason a query of the evaluated split is not evaluated: its text is empty
(``queries_empty_text``), it has no relevant document (``queries_without_relevant``), or its
relevant documents all have empty text (``queries_relevant_empty_text``); judged documents with
empty text are dropped and counted per language (``documents_empty_text``: judgment lines in the
split release, whose documents have no ids; documents in the full release). The split release
holds its texts inline, so these queries are left out before the draw; the full release's texts
are read after it (its files are large), so there they are dropped from the drawn queries.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from crossrank.core.contract import Document, Topic
from crossrank.core.errors import ConfigError, InputError
from crossrank.prepare.prepared import PreparedDataset, Statistic, TrainingPair, counted, counted_reasons, is_empty, pool_statistics
from crossrank.prepare.protocols.settings import ReleaseSettings, check_languages, check_template
from crossrank.prepare.readers import wikiclir
from crossrank.prepare.sampling import PairSampler

log = logging.getLogger(__name__)

QUERY_LANGUAGE = "en"
# Document language code -> directory of the full release ("simple" is Simple English).
DIRECTORIES = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "de": "german",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "nl": "dutch",
    "nn": "norwegian_(nynorsk)",
    "no": "norwegian_(bokmal)",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "simple": "simple_english",
    "sv": "swedish",
    "sw": "swahili",
    "tl": "tagalog",
    "tr": "turkish",
    "uk": "ukrainian",
    "vi": "vietnamese",
    "zh": "chinese",
}
LANGUAGES = tuple(sorted(DIRECTORIES))
RELEASES = ("split", "full")
POOLS = ("judged", "linked")
LINKED_LABEL = 2  # a query's own article: rel 2 in both releases
# What the paper states, beside ours in statistics.csv. Its counts disagree with each other:
# section 3.1 says "26 other languages" and 26,000 queries, Table 1 ticks 25 (24 languages and
# Simple English as English); section 4.3 puts the collections at "approximately 7k to 26k
# documents", about one per query.
PAPER_STATISTICS: list[Statistic] = [
    ("paper", "test_queries_per_pair", 1000),
    ("paper", "pairs_stated", 26),
    ("paper", "pairs_table1", 25),
    ("paper", "test_queries", 26000),
    ("paper", "documents_approx", 26000),
]


@dataclass(frozen=True)
class LargeScaleSettings(ReleaseSettings):
    """The ``largescale`` block of ``params.yaml`` with the release directory resolved."""

    root: Path
    languages: tuple[str, ...] = LANGUAGES
    release: str = "split"
    split_file: str = "data_en_{lang}/{split}.txt"
    split: str = "test1"
    train_split: str = "train"
    queries_file: str = "wiki-clir/english/wiki_en.queries"
    documents_file: str = "wiki-clir/{language}/wiki_{lang}.documents"
    qrels_file: str = "wiki-clir/{language}/en2{lang}.rel"
    queries_per_pair: int = 1000
    train_queries_per_pair: int = 1000
    pool: str = "judged"
    seed: int = 2025

    def check(self) -> None:
        """Raise ConfigError for an unknown release, pool or language, or a malformed file template."""
        if self.release not in RELEASES:
            raise ConfigError(f"params.yaml 'largescale.release': {self.release!r} is not one of {list(RELEASES)}.")
        if self.pool not in POOLS:
            raise ConfigError(f"params.yaml 'largescale.pool': {self.pool!r} is not one of {list(POOLS)}.")
        check_languages("largescale", self.languages, LANGUAGES)
        check_template("largescale", "split_file", self.split_file, ("lang", "language", "split"), ("lang", "split"))
        check_template("largescale", "queries_file", self.queries_file, ())
        check_template("largescale", "documents_file", self.documents_file, ("lang", "language"), ("lang",))
        check_template("largescale", "qrels_file", self.qrels_file, ("lang", "language"), ("lang",))
        if self.release == "split" and self.train_queries_per_pair and self.train_split == self.split:
            raise ConfigError(
                f"params.yaml 'largescale.train_split' is the evaluated split {self.split!r}: training pairs would leak test queries. "
                "Fix: use 'train', or set train_queries_per_pair: 0."
            )

    def split_path(self, lang: str, split: str) -> Path:
        return self.root / self.split_file.format(lang=lang, language=DIRECTORIES[lang], split=split)

    def documents_path(self, lang: str) -> Path:
        return self.root / self.documents_file.format(lang=lang, language=DIRECTORIES[lang])

    def qrels_path(self, lang: str) -> Path:
        return self.root / self.qrels_file.format(lang=lang, language=DIRECTORIES[lang])


def raw_files(settings: LargeScaleSettings) -> list[str]:
    """Every release file the protocol reads, relative to ``settings.root``."""
    if settings.release == "split":
        splits = [settings.split] + ([settings.train_split] if settings.train_queries_per_pair else [])
        paths = [settings.split_path(lang, split) for lang in settings.languages for split in splits]
    else:
        paths = [settings.root / settings.queries_file]
        paths += [path for lang in settings.languages for path in (settings.qrels_path(lang), settings.documents_path(lang))]
    return [str(path.relative_to(settings.root)) for path in paths]


def training_files(settings: LargeScaleSettings) -> list[str]:
    """The files of :func:`raw_files` read only for training pairs (the split release's training split; the full
    release draws its training queries from the files it evaluates)."""
    if settings.release != "split" or not settings.train_queries_per_pair:
        return []
    return [str(settings.split_path(lang, settings.train_split).relative_to(settings.root)) for lang in settings.languages]


def docid(lang: str, source_id: str) -> str:
    """The pool's document id, prefixed with its language."""
    return f"{lang}-{source_id}"


def topic_id(doc_lang: str, qid: str) -> str:
    """The evaluated query's id: the same English query is a different topic for every document language."""
    return f"{QUERY_LANGUAGE}-{doc_lang}-{qid}"


@dataclass
class _Evaluated:
    """What one document language contributes: topics, qrels, pool texts and training rows."""

    topics: list[Topic]
    qrels: dict[str, dict[str, int]]
    pool: dict[str, str]
    training: list[TrainingPair]
    repeated_texts: int = 0  # split release: queries whose text repeats an earlier query's (kept apart by id)
    empty_documents: int = 0  # judged documents with empty text, never pooled (split release: judgment lines)
    dropped: Counter[str] = field(default_factory=Counter)  # evaluated-split queries not eligible, by QUERY_DROPS reason


# Why a query of the evaluated split is not evaluated, one reason per query, checked in this order (statistics.csv).
QUERY_DROPS = ("queries_empty_text", "queries_without_relevant", "queries_relevant_empty_text")


def prepare(settings: LargeScaleSettings) -> PreparedDataset:
    """Draw the evaluated English queries and pool per document language, plus training pairs."""
    sampler = PairSampler("largescale", settings.seed, settings.queries_per_pair)
    train_sampler = PairSampler("largescale", settings.seed, settings.train_queries_per_pair, label="train_queries")
    dropped: Counter[str] = Counter()
    if settings.release == "split":
        parts = _prepare_split(settings, sampler, train_sampler, dropped)
    else:
        parts = _prepare_full(settings, sampler, train_sampler, dropped)
    documents = [Document(doc, lang, text) for lang in settings.languages for doc, text in sorted(parts[lang].pool.items())]
    topics = [topic for lang in settings.languages for topic in parts[lang].topics]
    qrels = {qid: judged for lang in settings.languages for qid, judged in parts[lang].qrels.items()}
    query_documents = [row for lang in settings.languages for row in parts[lang].training]
    statistics = pool_statistics(documents, topics) + sampler.statistics()
    statistics += [("repeated_query_texts", lang, parts[lang].repeated_texts) for lang in settings.languages if parts[lang].repeated_texts]
    # Queries whose best judgment is rel 1: their "linked article" (pool: linked, relevance: top) is a rel-1 one.
    without_linked = Counter(t.doc_lang for t in topics if max(qrels[t.qid].values()) < LINKED_LABEL)
    statistics += [("queries_without_rel2", lang, without_linked[lang]) for lang in settings.languages if without_linked[lang]]
    statistics += counted("documents_empty_text", {lang: parts[lang].empty_documents for lang in settings.languages})
    statistics += counted_reasons(QUERY_DROPS, {f"{QUERY_LANGUAGE}-{lang}": parts[lang].dropped for lang in settings.languages})
    if settings.train_queries_per_pair:
        statistics += [*train_sampler.statistics(), ("training", "query_documents", len(query_documents))]
        statistics += [
            ("training", reason, dropped[reason])
            for reason in ("dropped_document_in_pool", "dropped_query_evaluated", "dropped_text_missing", "dropped_query_empty_text")
        ]
    log.info("largescale: %d documents, %d topics, %d training pairs", len(documents), len(topics), len(query_documents))
    return PreparedDataset(documents, topics, qrels, statistics + PAPER_STATISTICS, query_documents=query_documents)


def _best_document(documents: Mapping[str, tuple[int, str]]) -> str:
    best = max(label for label, _ in documents.values())
    return min(doc for doc, (label, _) in documents.items() if label == best)


def _pooled(labels: Mapping[str, int], pool: str) -> set[str]:
    """The documents a drawn query adds to the pool: all it judges, or its linked (best-labelled) article."""
    if pool == "judged":
        return set(labels)
    return {_best_document({doc: (label, "") for doc, label in labels.items()})}


def _eligible_split(queries: Iterable[wikiclir.SplitQuery], part: _Evaluated) -> list[str]:
    """Ids of the split-release queries that can be evaluated; the others are counted in ``part.dropped`` by reason,
    and the judged lines whose document text is empty in ``part.empty_documents``."""
    eligible = []
    for query in queries:
        part.empty_documents += len(query.empty_labels)
        if is_empty(query.text):
            part.dropped["queries_empty_text"] += 1
        elif query.relevant():
            eligible.append(query.qid)
        elif any(label >= 1 for label in query.empty_labels):
            part.dropped["queries_relevant_empty_text"] += 1
        else:
            part.dropped["queries_without_relevant"] += 1
    return eligible


def _prepare_split(
    settings: LargeScaleSettings, sampler: PairSampler, train_sampler: PairSampler, dropped: Counter[str]
) -> dict[str, _Evaluated]:
    parts: dict[str, _Evaluated] = {}
    evaluated_texts: set[str] = set()
    for lang in tqdm(settings.languages, desc="largescale test queries", unit="language"):
        queries = {q.qid: q for q in wikiclir.read_split(settings.split_path(lang, settings.split), doc_prefix=f"{lang}-")}
        part = _Evaluated([], {}, {}, [], repeated_texts=sum(1 for q in queries.values() if q.repeats_a_text))
        eligible = _eligible_split(queries.values(), part)
        drawn = [queries[qid] for qid in sampler.draw(QUERY_LANGUAGE, lang, eligible)]
        for query in drawn:
            part.topics.append(Topic(topic_id(lang, query.qid), QUERY_LANGUAGE, lang, query.text))
            pooled = _pooled({doc: label for doc, (label, _) in query.documents.items()}, settings.pool)
            part.pool.update({doc: query.documents[doc][1] for doc in pooled})
            evaluated_texts.add(query.text)
        for query in drawn:
            judged = {doc: label for doc, (label, _) in query.documents.items() if doc in part.pool}
            part.qrels[topic_id(lang, query.qid)] = judged
        parts[lang] = part
    if not settings.train_queries_per_pair:
        return parts
    for lang in tqdm(settings.languages, desc="largescale training queries", unit="language"):
        path = settings.split_path(lang, settings.train_split)
        candidates = []
        for query in wikiclir.read_split(path, doc_prefix=f"{lang}-"):
            if query.relevant() and is_empty(query.text):
                dropped["dropped_query_empty_text"] += 1
            elif query.relevant():
                candidates.append(query.qid)
        drawn = set(train_sampler.draw(QUERY_LANGUAGE, lang, candidates))
        for query in wikiclir.read_split(path, doc_prefix=f"{lang}-"):
            if query.qid not in drawn:
                continue
            best = _best_document(query.documents)
            if best in parts[lang].pool:
                dropped["dropped_document_in_pool"] += 1
            elif query.text in evaluated_texts:
                dropped["dropped_query_evaluated"] += 1
            else:
                row = (f"{QUERY_LANGUAGE}-{lang}-{query.qid}", QUERY_LANGUAGE, query.text, lang, query.documents[best][1])
                parts[lang].training.append(row)
    return parts


def _prepare_full(
    settings: LargeScaleSettings, sampler: PairSampler, train_sampler: PairSampler, dropped: Counter[str]
) -> dict[str, _Evaluated]:
    """The full release, one language's qrels in memory at a time (all 25 hold ~40M judgments)."""

    def relevant(judged: dict[str, dict[str, tuple[int, int]]]) -> list[str]:
        return [qid for qid, docs in judged.items() if any(label >= 1 for label, _ in docs.values())]

    judged_drawn: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    without_relevant: Counter[str] = Counter()
    for lang in tqdm(settings.languages, desc="largescale qrels", unit="language"):
        judged = wikiclir.read_full_qrels(settings.qrels_path(lang))
        candidates = relevant(judged)
        without_relevant[lang] = len(judged) - len(candidates)
        judged_drawn[lang] = {qid: judged[qid] for qid in sampler.draw(QUERY_LANGUAGE, lang, candidates)}
    evaluated = {qid for drawn in judged_drawn.values() for qid in drawn}
    training_drawn: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if settings.train_queries_per_pair:
        for lang in tqdm(settings.languages, desc="largescale training qrels", unit="language"):
            judged = wikiclir.read_full_qrels(settings.qrels_path(lang))
            candidates = relevant(judged)
            dropped["dropped_query_evaluated"] += sum(1 for qid in candidates if qid in evaluated)
            for qid in train_sampler.draw(QUERY_LANGUAGE, lang, [qid for qid in candidates if qid not in evaluated]):
                training_drawn[lang].append((qid, _best_document({d: (label, "") for d, (label, _) in judged[qid].items()})))

    queries_path = settings.root / settings.queries_file
    wanted_queries = evaluated | {qid for pairs in training_drawn.values() for qid, _ in pairs}
    query_texts = {qid: text for qid, _title, text in wikiclir.read_full_table(queries_path, wanted_queries)}
    parts = {}
    for lang in tqdm(settings.languages, desc="largescale documents", unit="language"):
        rel_path = settings.qrels_path(lang)
        judged_ids = {doc for docs in judged_drawn[lang].values() for doc in docs}
        training_ids = {doc for _, doc in training_drawn[lang]}
        texts = {doc: text for doc, _title, text in wikiclir.read_full_table(settings.documents_path(lang), judged_ids | training_ids)}
        empty = {doc for doc in judged_ids if doc in texts and is_empty(texts[doc])}
        part = _Evaluated([], {}, {}, [], empty_documents=len(empty))
        part.dropped["queries_without_relevant"] = without_relevant[lang]
        drawn = _eligible_full(judged_drawn[lang], query_texts, empty, part, rel_path, queries_path)
        pool_ids = {doc for docs in drawn.values() for doc in _pooled({d: label for d, (label, _) in docs.items()}, settings.pool)}
        for docs in drawn.values():
            for doc, (_, line) in sorted(docs.items(), key=lambda item: item[1][1]):
                if doc in pool_ids and doc not in texts:
                    message = f"document {doc!r} is judged here but absent from {settings.documents_path(lang)}."
                    raise InputError(rel_path, message, line=line, fix=_FULL_FIX)
        topics = [Topic(topic_id(lang, qid), QUERY_LANGUAGE, lang, query_texts[qid]) for qid in drawn]
        qrels = {
            topic_id(lang, qid): {docid(lang, doc): label for doc, (label, _) in docs.items() if doc in pool_ids}
            for qid, docs in drawn.items()
        }
        training = []
        for qid, doc in training_drawn[lang]:
            if doc in pool_ids:
                dropped["dropped_document_in_pool"] += 1
            elif not is_empty(query_texts.get(qid, "")) and not is_empty(texts.get(doc, "")):
                training.append((f"{QUERY_LANGUAGE}-{lang}-{qid}", QUERY_LANGUAGE, query_texts[qid], lang, texts[doc]))
            else:
                dropped["dropped_text_missing"] += 1
        part.topics, part.qrels, part.pool, part.training = topics, qrels, {docid(lang, doc): texts[doc] for doc in pool_ids}, training
        parts[lang] = part
    return parts


def _eligible_full(
    drawn: Mapping[str, dict[str, tuple[int, int]]],
    query_texts: Mapping[str, str],
    empty: set[str],
    part: _Evaluated,
    rel_path: Path,
    queries_path: Path,
) -> dict[str, dict[str, tuple[int, int]]]:
    """The drawn full-release queries that can be evaluated, with their judgments of empty documents removed; the
    others are counted in ``part.dropped`` (empty query text, relevant documents all empty). Texts are only read
    after the draw here (the files are large), so these queries are dropped after it: fewer than drawn, counted.
    A drawn query absent from the queries file raises, naming its first ``.rel`` line."""
    eligible = {}
    for qid, docs in drawn.items():
        if qid not in query_texts:
            line = min(line for _, line in docs.values())
            raise InputError(rel_path, f"query {qid!r} is judged here but absent from {queries_path}.", line=line, fix=_FULL_FIX)
        with_text = {doc: judged for doc, judged in docs.items() if doc not in empty}
        if is_empty(query_texts[qid]):
            part.dropped["queries_empty_text"] += 1
        elif not any(label >= 1 for label, _ in with_text.values()):
            part.dropped["queries_relevant_empty_text"] += 1
        else:
            eligible[qid] = with_text
    return eligible


_FULL_FIX = "use the queries, documents and .rel files of the same wiki-clir release."
