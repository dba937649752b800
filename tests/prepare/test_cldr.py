"""Tests of the embedded cldr benchmark (crossrank.prepare.cldr)."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest

from crossrank.prepare.cldr import LANGUAGES, CldrBenchmark, Entity, build_benchmark, load_entities

SUBSTRING_LANGUAGES = {"ar", "ja", "zh"}


@pytest.fixture(scope="module")
def bench() -> CldrBenchmark:
    return build_benchmark()


@pytest.fixture(scope="module")
def entities() -> dict[str, Entity]:
    return {e.entity_id: e for e in load_entities()}


@pytest.fixture(scope="module")
def test_ids(bench: CldrBenchmark) -> set[str]:
    """Test entities: those whose document is relevant to some evaluated topic."""
    return {docid for rels in bench.qrels.values() for docid in rels}


@pytest.fixture(scope="module")
def train_ids(bench: CldrBenchmark) -> set[str]:
    return {row[0] for row in bench.phrase_pairs} | {row[0] for row in bench.query_documents}


def test_size(bench: CldrBenchmark) -> None:
    assert len(bench.documents) >= 1200


def test_eight_languages(bench: CldrBenchmark) -> None:
    assert {d.lang for d in bench.documents} == set(LANGUAGES)
    assert len(LANGUAGES) == 8


def test_56_ordered_pairs_with_at_least_100_test_queries_each(bench: CldrBenchmark) -> None:
    pairs = Counter((t.query_lang, t.doc_lang) for t in bench.topics)
    assert set(pairs) == set(itertools.permutations(LANGUAGES, 2))
    assert len(pairs) == 56
    assert min(pairs.values()) >= 100


def test_every_entity_has_exactly_one_document(bench: CldrBenchmark, entities: dict[str, Entity]) -> None:
    docids = [d.docid for d in bench.documents]
    assert len(docids) == len(set(docids))
    assert set(docids) == set(entities)


def test_documents_per_language_differ_by_at_most_one(bench: CldrBenchmark) -> None:
    counts = Counter(d.lang for d in bench.documents)
    assert max(counts.values()) - min(counts.values()) <= 1


def test_document_text_starts_with_entity_name_in_its_language(bench: CldrBenchmark, entities: dict[str, Entity]) -> None:
    for doc in bench.documents:
        assert doc.text.startswith(entities[doc.docid].names[doc.lang])


def test_same_seed_gives_identical_output(bench: CldrBenchmark) -> None:
    again = build_benchmark()
    assert again.documents == bench.documents
    assert again.topics == bench.topics
    assert again.qrels == bench.qrels
    assert again.oracle_english == bench.oracle_english
    assert again.phrase_pairs == bench.phrase_pairs
    assert again.query_documents == bench.query_documents
    assert again.statistics == bench.statistics


def test_different_seed_gives_different_assignment(bench: CldrBenchmark) -> None:
    other = build_benchmark(seed=1)
    ours = {d.docid: d.lang for d in bench.documents}
    theirs = {d.docid: d.lang for d in other.documents}
    assert set(ours) == set(theirs)
    changed = sum(ours[k] != theirs[k] for k in ours)
    assert changed > len(ours) // 2  # a reshuffle, not a handful of changes
    assert {t.qid for t in other.topics} != {t.qid for t in bench.topics}


def test_every_topic_has_one_relevant_document_in_its_doc_lang(bench: CldrBenchmark, entities: dict[str, Entity]) -> None:
    langs = {d.docid: d.lang for d in bench.documents}
    assert {t.qid for t in bench.topics} == set(bench.qrels)
    assert len({t.qid for t in bench.topics}) == len(bench.topics)
    for topic in bench.topics:
        rels = bench.qrels[topic.qid]
        relevant = [docid for docid, label in rels.items() if label >= 1]
        assert len(relevant) == 1, topic
        assert langs[relevant[0]] == topic.doc_lang
        assert topic.query_lang != topic.doc_lang
        assert topic.text == entities[relevant[0]].names[topic.query_lang]


def test_every_test_entity_is_queried_from_all_other_languages(bench: CldrBenchmark, test_ids: set[str]) -> None:
    per_entity = Counter(next(iter(rels)) for rels in bench.qrels.values())
    assert set(per_entity) == test_ids
    assert set(per_entity.values()) == {len(LANGUAGES) - 1}


def test_oracle_english_of_english_document_is_the_document(bench: CldrBenchmark) -> None:
    assert set(bench.oracle_english) == {d.docid for d in bench.documents}
    english = [d for d in bench.documents if d.lang == "en"]
    assert english
    for doc in english:
        assert bench.oracle_english[doc.docid] == doc.text


def test_oracle_english_starts_with_english_name(bench: CldrBenchmark, entities: dict[str, Entity]) -> None:
    for docid, text in bench.oracle_english.items():
        assert text.startswith(entities[docid].names["en"])


def test_split_is_stratified_by_document_language(bench: CldrBenchmark, test_ids: set[str]) -> None:
    per_lang = Counter(d.lang for d in bench.documents)
    test_per_lang = Counter(d.lang for d in bench.documents if d.docid in test_ids)
    assert test_per_lang == Counter({lang: round(0.65 * n) for lang, n in per_lang.items()})


def test_training_and_test_entities_are_disjoint(bench: CldrBenchmark, test_ids: set[str], train_ids: set[str]) -> None:
    assert bench.phrase_pairs and bench.query_documents
    assert train_ids
    assert not train_ids & test_ids
    assert train_ids <= {d.docid for d in bench.documents}


def test_topics_are_only_test_entities(bench: CldrBenchmark, test_ids: set[str], train_ids: set[str]) -> None:
    for topic in bench.topics:
        entity_id = topic.qid.rsplit(".", 1)[0]
        assert topic.qid == f"{entity_id}.{topic.query_lang}"
        assert entity_id in test_ids
        assert entity_id not in train_ids
    all_ids = {d.docid for d in bench.documents}
    assert test_ids < all_ids  # every document stays in the pool, test or not


def _leaked_names(texts: set[tuple[str, str]], names: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    """(lang, text, name) for every test-entity name found in a text of that language.

    ar/ja/zh: plain case-folded substring; other languages: the substring must be a whole word
    (no word character right before or after it).
    """
    hits = []
    for lang, text in texts:
        folded = text.casefold()
        for name in names[lang]:
            if name not in folded:
                continue
            if lang in SUBSTRING_LANGUAGES or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
                hits.append((lang, text, name))
    return hits


def test_no_training_row_names_a_test_entity(bench: CldrBenchmark, entities: dict[str, Entity], test_ids: set[str]) -> None:
    names = {lang: {entities[eid].names[lang].casefold() for eid in test_ids} for lang in LANGUAGES}
    texts: set[tuple[str, str]] = set()
    for _, lang_a, text_a, lang_b, text_b in bench.phrase_pairs:
        texts |= {(lang_a, text_a), (lang_b, text_b)}
    for _, query_lang, query, doc_lang, document in bench.query_documents:
        texts |= {(query_lang, query), (doc_lang, document)}
    assert _leaked_names(texts, names) == []
    # The check itself finds names where they are: in the test topics and in the test documents.
    topic_texts = {(t.query_lang, t.text) for t in bench.topics[:50]}
    assert len(_leaked_names(topic_texts, names)) >= len(topic_texts)
    test_docs = {(d.lang, d.text) for d in bench.documents if d.docid in test_ids}
    assert {lang for lang, _, _ in _leaked_names(test_docs, names)} == set(LANGUAGES)


def test_training_rows_are_well_formed(bench: CldrBenchmark, entities: dict[str, Entity]) -> None:
    for entity_id, lang_a, text_a, lang_b, text_b in bench.phrase_pairs:
        assert LANGUAGES.index(lang_a) < LANGUAGES.index(lang_b)
        assert text_a == entities[entity_id].names[lang_a]
        assert text_b == entities[entity_id].names[lang_b]
    langs = {d.docid: d.lang for d in bench.documents}
    for entity_id, query_lang, query, doc_lang, _document in bench.query_documents:
        assert doc_lang == langs[entity_id] != query_lang
        assert query == entities[entity_id].names[query_lang]


def test_max_entities_keeps_exactly_that_many() -> None:
    small = build_benchmark(max_entities=40)
    assert len(small.documents) == 40
    assert len({d.docid for d in small.documents}) == 40
    counts = Counter(d.lang for d in small.documents)
    assert set(counts) == set(LANGUAGES) and set(counts.values()) == {5}
    assert small.topics
    docids = {d.docid for d in small.documents}
    test = {docid for rels in small.qrels.values() for docid in rels}
    assert test <= docids
    assert len(small.topics) == len(test) * (len(LANGUAGES) - 1)
    assert {row[0] for row in small.phrase_pairs} <= docids - test
    assert dict(((k, v) for s, k, v in small.statistics if s == "split")) == {"train_entities": 40 - len(test), "test_entities": len(test)}


def test_load_entities_names_unique_per_language(entities: dict[str, Entity]) -> None:
    assert len(entities) >= 1200
    for lang in LANGUAGES:
        folded = [e.names[lang].casefold() for e in entities.values()]
        duplicates = [name for name, n in Counter(folded).items() if n > 1]
        assert duplicates == [], lang
        assert all(name.strip() for name in folded)


def test_load_entities_has_every_type_and_name_in_every_language(entities: dict[str, Entity]) -> None:
    assert {e.kind for e in entities.values()} == {"territory", "language", "currency", "script", "unit"}
    for entity in entities.values():
        assert set(entity.names) == set(LANGUAGES)
        assert entity.entity_id == f"{entity.kind}.{entity.code}"
        for section in entity.related:
            assert set(section) <= set(entities)


def test_unknown_language_and_empty_test_split_are_clear_errors():
    with pytest.raises(ValueError, match="no locale 'xx'"):
        build_benchmark(languages=["de", "xx"])
    with pytest.raises(ValueError, match="no test queries"):
        build_benchmark(max_entities=40, test_fraction=0.01)
