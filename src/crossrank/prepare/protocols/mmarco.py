"""mMARCO as the paper uses it (its appendix C): one pool of de-duplicated passages spread over 14 languages.

The evaluated queries are those of the shared qrels (``qrels.dev.small.tsv``: 6,980 queries
judging 7,433 distinct passages). Each passage enters the pool once, in exactly one language:
passages are assigned to the languages evenly (530-531 each for 7,433 passages), seeded, and
the passages judged relevant for one query always share a language, so every query has one
document language. Every query is then asked in every query language, over all 14 x 14
ordered pairs (same-language pairs included): 6,980 x 14 = 97,720 evaluated query instances,
the paper's count. The paper's "530-531 queries per pair" is the passages-per-language figure;
queries per pair here are the queries whose passages went to that language (~499).
``queries_per_pair`` > 0 draws that many per pair instead of all.

Texts are checked, never silently indexed (the statistics table counts each case): a pool
passage whose text is empty, in its language or in English, is dropped
(``documents_empty_text``), and a query left without a relevant passage by that is dropped from
every pair (``queries_relevant_empty_text``); a query whose text is empty in a query language is
dropped from that language's pairs (``queries_empty_text``); qrels queries with no relevant
passage belong to no pair (``queries_without_relevant``, key ``all`` only). Passages that
mMARCO's translation left in English (the same text under the same id) are kept, as the paper
keeps them, and counted per language (``identical_to_english``).

The ``translated`` condition uses each passage's original English text (``oracle_en``).
Training pairs come from the training qrels: per ordered pair, a sample of training queries
in the query language with a relevant passage in the document language, minus queries whose
passages are in the evaluation pool. Each keeps its first ``train_candidates_per_query``
negatives of MS MARCO's training triples (BM25 negatives), in the document language, never a
pool passage nor one judged relevant for it: the release's hard negatives for re-ranking.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from crossrank.core.contract import Document, Topic
from crossrank.core.errors import ConfigError, InputError
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
from crossrank.prepare.readers import mmarco
from crossrank.prepare.sampling import Candidates, PairSampler, assign_evenly, seeded_rng

log = logging.getLogger(__name__)

LANGUAGES = tuple(sorted(mmarco.LANGUAGE_NAMES))
# What the paper states, beside ours in statistics.csv. Its counts disagree: section 3.1 and
# appendix C give "530-531 queries per pair" (7,433 / 14, the passages per language), appendix C
# "the full set of 7,433 queries ... for each query language" (104,062 in all), but its 97,720
# queries over 196 pairs are 498.6 per pair (6,980 dev/small queries x 14 query languages, each
# query's passage in one of 14 languages): ours is the latter.
PAPER_STATISTICS: list[Statistic] = [
    ("paper", "documents", 7433),
    ("paper", "documents_per_language_min", 530),
    ("paper", "documents_per_language_max", 531),
    ("paper", "test_queries", 97720),
    ("paper", "test_queries_per_pair_stated_min", 530),
    ("paper", "test_queries_per_pair_stated_max", 531),
    ("paper", "test_queries_per_pair_implied", 499),
    ("paper", "test_queries_appendix_c", 104062),
]


@dataclass(frozen=True)
class MmarcoSettings(ReleaseSettings):
    """The ``mmarco`` block of ``params.yaml`` with the release directory resolved."""

    root: Path
    languages: tuple[str, ...] = LANGUAGES
    collection: str = "collections/{language}_collection.tsv"
    queries: str = "queries/{split}/{language}_queries.{split}.tsv"
    qrels: str = "qrels.dev.small.tsv"
    split: str = "dev"
    train_split: str = "train"
    train_qrels: str = "qrels.train.tsv"
    train_triples: str = "triples.train.ids.small.tsv"
    queries_per_pair: int = 0
    train_queries_per_pair: int = 1000
    train_candidates_per_query: int = 3
    seed: int = 2025

    def check(self) -> None:
        """Raise ConfigError for an unknown language or a malformed file template."""
        check_languages("mmarco", self.languages, LANGUAGES)
        if len(self.languages) < 2:
            raise ConfigError("params.yaml 'mmarco.languages': list at least two languages to have cross-language pairs.")
        check_template("mmarco", "collection", self.collection, ("language", "lang"))
        check_template("mmarco", "queries", self.queries, ("language", "lang", "split"), ("split",))
        check_template("mmarco", "qrels", self.qrels, ())
        check_template("mmarco", "train_qrels", self.train_qrels, ())
        check_template("mmarco", "train_triples", self.train_triples, ())
        if not isinstance(self.train_candidates_per_query, int) or self.train_candidates_per_query < 0:
            raise ConfigError("params.yaml 'mmarco.train_candidates_per_query': use a whole number >= 0 (0 reads no training triples).")
        if self.train_queries_per_pair and self.train_split == self.split:
            raise ConfigError(
                f"params.yaml 'mmarco.train_split' is the evaluated split {self.split!r}: training pairs would leak test queries. "
                "Fix: use 'train', or set train_queries_per_pair: 0."
            )

    def collection_file(self, lang: str) -> str:
        return self.collection.format(language=mmarco.language_name(lang), lang=lang)

    def queries_file(self, lang: str, split: str) -> str:
        return self.queries.format(language=mmarco.language_name(lang), lang=lang, split=split)

    @property
    def reads_triples(self) -> bool:
        """Whether training candidates are read from the training triples."""
        return bool(self.train_queries_per_pair and self.train_candidates_per_query)

    @property
    def collection_languages(self) -> list[str]:
        """Languages whose collection is read: the pool's, plus English for the oracle translation."""
        return sorted({*self.languages, "en"})


def raw_files(settings: MmarcoSettings) -> list[str]:
    """Every release file the protocol reads, relative to ``settings.root``."""
    files = [settings.qrels] + [settings.queries_file(lang, settings.split) for lang in settings.languages]
    if settings.train_queries_per_pair:
        files += [settings.train_qrels] + [settings.queries_file(lang, settings.train_split) for lang in settings.languages]
    if settings.reads_triples:
        files.append(settings.train_triples)
    return files + [settings.collection_file(lang) for lang in settings.collection_languages]


def training_files(settings: MmarcoSettings) -> list[str]:
    """The files of :func:`raw_files` read only for training pairs: training qrels and queries, and the triples."""
    if not settings.train_queries_per_pair:
        return []
    files = [settings.train_qrels] + [settings.queries_file(lang, settings.train_split) for lang in settings.languages]
    return files + ([settings.train_triples] if settings.reads_triples else [])


def topic_id(query_lang: str, doc_lang: str, qid: str) -> str:
    """The evaluated query's id: the same MS MARCO query is a different topic in every query language."""
    return f"{query_lang}-{doc_lang}-{qid}"


def _components(relevant: Mapping[str, set[str]]) -> list[list[str]]:
    """Passages linked through shared queries (union-find): each group must share one language."""
    parent: dict[str, str] = {}

    def find(pid: str) -> str:
        while parent.setdefault(pid, pid) != pid:
            parent[pid] = parent[parent[pid]]
            pid = parent[pid]
        return pid

    for pids in relevant.values():
        first, *rest = sorted(pids)
        for pid in rest:
            parent[find(pid)] = find(first)
        find(first)
    groups: dict[str, list[str]] = defaultdict(list)
    for pid in parent:
        groups[find(pid)].append(pid)
    return list(groups.values())


def _require(found: Mapping[str, str], wanted: Mapping[str, int], path: Path, qrels_path: Path, kind: str) -> None:
    """Raise naming the qrels line of the first id absent from ``path``."""
    absent = sorted((line, key) for key, line in wanted.items() if key not in found)
    if absent:
        line, key = absent[0]
        raise InputError(
            qrels_path,
            f"{kind} id {key!r} is judged here but absent from {path} ({len(absent)} such ids).",
            line=line,
            fix="use the collection and query files of the same mMARCO release as the qrels.",
        )


def prepare(settings: MmarcoSettings) -> PreparedDataset:
    """Assign the judged passages to languages, ask every query in every language, write training pairs."""
    qrels_path = settings.root / settings.qrels
    judgments = mmarco.read_judgments(qrels_path)
    relevant = {qid: {pid for pid, (label, _) in judged.items() if label >= 1} for qid, judged in judgments.items()}
    relevant = {qid: pids for qid, pids in relevant.items() if pids}
    without_relevant = len(judgments) - len(relevant)  # judged, but none relevant: no document language, so in no pair
    if not relevant:
        raise InputError(qrels_path, "no query has a relevant passage.", fix="point 'mmarco.qrels' at MS MARCO's qrels.dev.small.tsv.")
    pid_line = {pid: line for judged in judgments.values() for pid, (label, line) in judged.items() if label >= 1}
    qid_line = {qid: min(line for _, line in judgments[qid].values()) for qid in relevant}

    groups = _components(relevant)
    language_of = assign_evenly(groups, settings.languages, seeded_rng(settings.seed, "assign"))
    doc_lang = {qid: language_of[min(pids)] for qid, pids in relevant.items()}

    train_pairs, train_negatives, train_stats = _draw_training(settings, set(language_of))
    wanted_passages: dict[str, dict[str, int]] = {lang: {} for lang in settings.collection_languages}
    for pid, lang in language_of.items():
        wanted_passages[lang][pid] = pid_line[pid]
        wanted_passages["en"][pid] = pid_line[pid]
    for _q, d, qid, pid in train_pairs:
        for wanted in (pid, *train_negatives.get(qid, [])):
            wanted_passages[d].setdefault(wanted, 0)
    passages: dict[str, dict[str, str]] = {}
    for lang in tqdm(settings.collection_languages, desc="mmarco collections", unit="language"):
        path = settings.root / settings.collection_file(lang)
        passages[lang] = mmarco.read_subset(path, wanted_passages[lang])
        evaluated = {pid: line for pid, line in wanted_passages[lang].items() if line}
        _require(passages[lang], evaluated, path, qrels_path, "passage")

    query_texts: dict[str, dict[str, str]] = {}
    for lang in tqdm(settings.languages, desc="mmarco queries", unit="language"):
        path = settings.root / settings.queries_file(lang, settings.split)
        query_texts[lang] = mmarco.read_subset(path, relevant)
        _require(query_texts[lang], qid_line, path, qrels_path, "query")

    empty_passages = _empty_passages(language_of, passages)
    in_pool = {qid: pids - empty_passages for qid, pids in relevant.items()}
    sampler = PairSampler("mmarco", settings.seed, settings.queries_per_pair)
    by_doc_lang: dict[str, list[str]] = defaultdict(list)
    for qid, lang in doc_lang.items():
        by_doc_lang[lang].append(qid)
    topics, qrels = [], {}
    dropped: dict[str, Counter[str]] = defaultdict(Counter)
    for q in settings.languages:
        for d in settings.languages:
            eligible = _eligible(by_doc_lang[d], query_texts[q], in_pool, dropped[f"{q}-{d}"])
            for qid in sampler.draw(q, d, eligible):
                tid = topic_id(q, d, qid)
                topics.append(Topic(tid, q, d, query_texts[q][qid]))
                qrels[tid] = {pid: judgments[qid][pid][0] for pid in in_pool[qid]}

    kept = [pid for pid in language_of if pid not in empty_passages]
    pool = sorted(kept, key=lambda pid: (settings.languages.index(language_of[pid]), pid))
    documents = [Document(pid, language_of[pid], passages[language_of[pid]][pid]) for pid in pool]
    oracle = {pid: passages["en"][pid] for pid in pool}
    query_documents, candidates, missing_training = _training_rows(settings, train_pairs, train_negatives, passages)

    statistics = pool_statistics(documents, topics)
    if settings.queries_per_pair:
        statistics += sampler.statistics()
    statistics += counted("documents_empty_text", Counter(language_of[pid] for pid in empty_passages))
    statistics += [("queries_without_relevant", "all", without_relevant)]
    statistics += counted_reasons(("queries_empty_text", "queries_relevant_empty_text"), dropped)
    statistics += counted("identical_to_english", _identical_to_english(documents, oracle))
    statistics += [
        ("qrels", "queries", len(relevant)),
        ("qrels", "passages", len(language_of)),
        ("qrels", "multi_passage_groups", sum(1 for group in groups if len(group) > 1)),
    ]
    if settings.train_queries_per_pair:
        statistics += [
            *train_stats,
            ("training", "query_documents", len(query_documents)),
            ("training", "candidates", len(candidates)),
            ("training", "dropped_text_missing", missing_training),
        ]
    log.info("mmarco: %d documents, %d topics, %d training pairs", len(documents), len(topics), len(query_documents))
    return PreparedDataset(
        documents,
        topics,
        qrels,
        statistics + PAPER_STATISTICS,
        oracle_english=oracle,
        query_documents=query_documents,
        training_candidates=candidates,
    )


def _empty_passages(language_of: Mapping[str, str], passages: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Pool passages whose text is empty in their language or in English (the translated condition's text): dropped
    from the pool, as an empty passage would be indexed as nothing."""
    empty = {pid for pid, lang in language_of.items() if is_empty(passages[lang][pid]) or is_empty(passages["en"][pid])}
    if empty:
        log.warning("mmarco: %d judged passages have empty text; dropped from the pool (statistics: documents_empty_text)", len(empty))
    return empty


def _eligible(qids: list[str], texts: Mapping[str, str], in_pool: Mapping[str, set[str]], dropped: Counter[str]) -> list[str]:
    """The queries of one pair that can be asked: a text in the query language and a relevant passage left in the
    pool; the others are counted in ``dropped`` (``queries_empty_text``, ``queries_relevant_empty_text``)."""
    eligible = []
    for qid in qids:
        if is_empty(texts[qid]):
            dropped["queries_empty_text"] += 1
        elif not in_pool[qid]:
            dropped["queries_relevant_empty_text"] += 1
        else:
            eligible.append(qid)
    return eligible


def _identical_to_english(documents: list[Document], oracle: Mapping[str, str]) -> dict[str, int]:
    """Per non-English language, the pool passages whose text is their English original unchanged: mMARCO's machine
    translation left them untranslated, so an English query can match them word for word, and in the ``translated``
    condition (the English originals) they do not change. Kept, as the paper keeps them, but counted."""
    identical = Counter(d.lang for d in documents if d.lang != "en" and d.text == oracle[d.docid])
    if identical:
        log.warning("mmarco: %d pool passages are their English original untranslated (identical_to_english)", sum(identical.values()))
    return {lang: identical[lang] for lang in sorted({d.lang for d in documents} - {"en"})}


def _draw_training(
    settings: MmarcoSettings, pool: set[str]
) -> tuple[list[tuple[str, str, str, str]], dict[str, list[str]], list[Statistic]]:
    """``[(query_lang, doc_lang, qid, pid)]`` drawn per ordered pair from the training qrels, never touching the pool,
    and each drawn query's first training-triple negatives (``{qid: [pid]}``, empty without triples)."""
    if not settings.train_queries_per_pair:
        return [], {}, []
    judged = mmarco.read_judgments(settings.root / settings.train_qrels)
    positives = {qid: sorted(pid for pid, (label, _) in pids.items() if label >= 1) for qid, pids in judged.items()}
    eligible = {qid: pids[0] for qid, pids in positives.items() if pids and not set(pids) & pool}
    leaking = sum(1 for pids in positives.values() if set(pids) & pool)
    sampler = PairSampler("mmarco", settings.seed, settings.train_queries_per_pair, label="train_queries")
    candidates = Candidates.of(eligible)
    pairs = [(q, d, qid, eligible[qid]) for q in settings.languages for d in settings.languages for qid in sampler.draw(q, d, candidates)]
    negatives: dict[str, list[str]] = {}
    if settings.reads_triples:
        drawn = {qid: set(positives[qid]) for _q, _d, qid, _pid in pairs}
        negatives = mmarco.read_triple_negatives(settings.root / settings.train_triples, drawn, settings.train_candidates_per_query, pool)
    return pairs, negatives, [*sampler.statistics(), ("training", "dropped_document_in_pool", leaking)]


def _training_rows(
    settings: MmarcoSettings,
    pairs: list[tuple[str, str, str, str]],
    negatives: Mapping[str, list[str]],
    passages: Mapping[str, Mapping[str, str]],
) -> tuple[list[TrainingPair], list[TrainingCandidate], int]:
    """Texts of the drawn training pairs and of their triple negatives (in the document language); pairs whose
    query or passage text is missing or empty are skipped and counted, as are negatives without a text."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for q, _d, qid, _pid in pairs:
        wanted[q].add(qid)
    texts = {
        lang: mmarco.read_subset(settings.root / settings.queries_file(lang, settings.train_split), wanted[lang])
        for lang in tqdm(sorted(wanted), desc="mmarco training queries", unit="language")
    }
    rows: list[TrainingPair] = []
    candidates: list[TrainingCandidate] = []
    missing = Counter()
    for q, d, qid, pid in pairs:
        if not is_empty(texts[q].get(qid, "")) and not is_empty(passages[d].get(pid, "")):
            rows.append((f"{q}-{d}-{qid}", q, texts[q][qid], d, passages[d][pid]))
            found = [neg for neg in negatives.get(qid, []) if not is_empty(passages[d].get(neg, ""))]
            missing["negatives"] += len(negatives.get(qid, [])) - len(found)
            candidates += [(f"{q}-{d}-{qid}", rank, d, passages[d][neg]) for rank, neg in enumerate(found, start=1)]
        else:
            missing["pairs"] += 1
    if missing["pairs"]:
        log.warning("mmarco: %d training pairs skipped: query or passage text missing from the release files", missing["pairs"])
    if missing["negatives"]:
        log.warning("mmarco: %d training-triple negatives skipped: passage text missing from the collection", missing["negatives"])
    return rows, candidates, missing["pairs"]
