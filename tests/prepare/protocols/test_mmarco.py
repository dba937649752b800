"""The paper's mMARCO protocol (appendix C) on a tiny v2 release in the released format (crossrank.prepare.protocols.mmarco)."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest
from releases import MMARCO_NAMES, MmarcoFacts, write_mmarco

from crossrank.core.errors import ConfigError, InputError
from crossrank.prepare.prepared import PreparedDataset
from crossrank.prepare.protocols.mmarco import MmarcoSettings, prepare, raw_files

LANGUAGES = ["de", "en", "nl", "zh"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MmarcoFacts]:
    root = tmp_path_factory.mktemp("mmarco")
    return root, write_mmarco(root, LANGUAGES)


def _settings(root: Path, **overrides) -> MmarcoSettings:
    return MmarcoSettings.from_params({"languages": LANGUAGES, "train_queries_per_pair": 3, **overrides}, root)


@pytest.fixture(scope="module")
def prepared(release) -> PreparedDataset:
    return prepare(_settings(release[0]))


def _collection(root: Path, lang: str) -> dict[str, str]:
    lines = (root / "collections" / f"{MMARCO_NAMES[lang]}_collection.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines)


def test_each_judged_passage_is_in_exactly_one_language_evenly(prepared, release):
    _, facts = release
    assert sorted(d.docid for d in prepared.documents) == facts.dev_passages  # de-duplicated: one document per passage
    counts = Counter(d.lang for d in prepared.documents)
    assert set(counts) == set(LANGUAGES)
    assert max(counts.values()) - min(counts.values()) <= 2  # one query judges two passages: they move together


def test_passage_texts_are_in_their_assigned_language(prepared, release):
    root, _ = release
    for document in prepared.documents:
        assert document.text == _collection(root, document.lang)[document.docid]
        assert prepared.oracle_english[document.docid] == _collection(root, "en")[document.docid]


def test_every_query_is_asked_in_every_language_over_all_pairs(prepared, release):
    _, facts = release
    assert len(prepared.topics) == len(facts.dev_queries) * len(LANGUAGES)
    assert {(t.query_lang, t.doc_lang) for t in prepared.topics} == {(q, d) for q in LANGUAGES for d in LANGUAGES}
    lang_of = {d.docid: d.lang for d in prepared.documents}
    for topic in prepared.topics:
        assert {lang_of[pid] for pid in prepared.qrels[topic.qid]} == {topic.doc_lang}
    a, b = facts.shared_passage_queries
    doc_lang = {t.qid.rsplit("-", 1)[1]: t.doc_lang for t in prepared.topics}
    assert doc_lang[a] == doc_lang[b]


def test_query_texts_are_in_the_query_language(prepared, release):
    root, _ = release
    dutch = dict(line.split("\t") for line in (root / "queries/dev/dutch_queries.dev.tsv").read_text().splitlines())
    for topic in prepared.topics:
        if topic.query_lang == "nl":
            assert topic.text == dutch[topic.qid.rsplit("-", 1)[1]]


def test_queries_per_pair_draws_a_sample(release):
    root, _ = release
    sampled = prepare(_settings(root, queries_per_pair=2, train_queries_per_pair=0))
    per_pair = Counter((t.query_lang, t.doc_lang) for t in sampled.topics)
    assert set(per_pair.values()) == {2}
    assert ("requested_queries", "per_pair", 2) in sampled.statistics


def test_training_pairs_never_touch_the_evaluation_pool(prepared, release):
    _, facts = release
    pool = {d.docid for d in prepared.documents}
    evaluated = set(facts.dev_queries)
    assert len(prepared.query_documents) == 16 * 3
    for row_id, _q, _query, _d, _document in prepared.query_documents:
        assert row_id.rsplit("-", 1)[1] not in evaluated
        assert row_id.rsplit("-", 1)[1] != facts.leaking_train_query
    assert ("training", "dropped_document_in_pool", 1) in prepared.statistics
    texts = {d.text for d in prepared.documents}
    assert not [row for row in prepared.query_documents if row[4] in texts]
    assert pool


def test_training_candidates_are_the_triples_negatives_in_file_order(prepared, release):
    root, facts = release
    got: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for row_id, rank, lang, text in prepared.training_candidates:
        got[row_id].append((rank, lang, text))
    assert set(got) == {row[0] for row in prepared.query_documents}
    for row_id, found in got.items():
        d = row_id.split("-")[1]
        collection = _collection(root, d)
        # not the query's own positive, not the pool passage 7000, the repeated one once
        kept = facts.triple_negatives[: _settings(root).train_candidates_per_query]
        assert sorted(found) == [(rank, d, collection[pid]) for rank, pid in enumerate(kept, start=1)]
    assert ("training", "candidates", len(prepared.training_candidates)) in prepared.statistics
    capped = prepare(_settings(root, train_candidates_per_query=2))
    assert len(capped.training_candidates) == 2 * len(capped.query_documents)
    languages = {row[3] for row in capped.query_documents}
    assert {text for *_, text in capped.training_candidates} == {
        _collection(root, d)[pid] for d in languages for pid in facts.triple_negatives[:2]
    }
    none = _settings(root, train_candidates_per_query=0)
    assert not prepare(none).training_candidates and "triples.train.ids.small.tsv" not in raw_files(none)
    assert "triples.train.ids.small.tsv" in raw_files(_settings(root))


def test_deterministic(prepared, release):
    again = prepare(_settings(release[0]))
    assert again.documents == prepared.documents and again.topics == prepared.topics
    assert again.query_documents == prepared.query_documents


def test_raw_files_include_english_for_the_oracle(release):
    root, _ = release
    files = raw_files(_settings(root, languages=["de", "nl"]))
    assert "collections/english_collection.tsv" in files and "collections/dutch_collection.tsv" in files
    assert "qrels.dev.small.tsv" in files and "queries/train/german_queries.train.tsv" in files


def test_qrels_naming_a_passage_absent_from_the_collection_names_the_qrels_line(tmp_path):
    write_mmarco(tmp_path, LANGUAGES)
    qrels = tmp_path / "qrels.dev.small.tsv"
    qrels.write_text(qrels.read_text() + "2003\t0\t99999999\t1\n")
    message = r"qrels\.dev\.small\.tsv:18: passage id '99999999' is judged here but absent from .*_collection\.tsv"
    with pytest.raises(InputError, match=message):
        prepare(_settings(tmp_path))


def test_query_absent_from_a_queries_file_names_the_qrels_line(tmp_path):
    write_mmarco(tmp_path, LANGUAGES)
    queries = tmp_path / "queries/dev/chinese_queries.dev.tsv"
    queries.write_text("\n".join(line for line in queries.read_text().splitlines() if not line.startswith("2005\t")) + "\n")
    message = r"qrels\.dev\.small\.tsv:6: query id '2005' is judged here but absent from .*chinese_queries\.dev\.tsv"
    with pytest.raises(InputError, match=message):
        prepare(_settings(tmp_path))


def test_unknown_language_and_leaking_split_are_config_errors(release):
    root, _ = release
    with pytest.raises(ConfigError, match=r"'mmarco\.languages': unknown language code\(s\) \['dt'\]"):
        _settings(root, languages=["de", "dt"])
    with pytest.raises(ConfigError, match="would leak test queries"):
        _settings(root, train_split="dev")


def test_no_relevant_passage_is_an_error(tmp_path):
    write_mmarco(tmp_path, LANGUAGES)
    (tmp_path / "qrels.dev.small.tsv").write_text("2000\t0\t7000\t0\n")
    with pytest.raises(InputError, match=r"qrels\.dev\.small\.tsv: no query has a relevant passage"):
        prepare(_settings(tmp_path))


def test_statistics_record_the_papers_conflicting_counts_beside_ours(prepared):
    statistics = {(s, k): v for s, k, v in prepared.statistics}
    # Stated: 530-531 queries per pair; implied by 97,720 queries over 196 pairs: 499.
    assert statistics[("paper", "test_queries_per_pair_stated_min")] == 530
    assert statistics[("paper", "test_queries_per_pair_stated_max")] == 531
    assert statistics[("paper", "test_queries_per_pair_implied")] == round(97720 / 196) == 499
    assert statistics[("paper", "test_queries_appendix_c")] == 7433 * 14  # "7,433 queries for each query language"
    ours = [v for (s, k), v in statistics.items() if s == "test_queries" and k != "all"]
    assert sum(ours) == statistics[("test_queries", "all")]


PITFALL_LANGUAGES = ["de", "nl", "zh"]  # no English pool passage: every untranslated one is counted


@pytest.fixture(scope="module")
def pitfalls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MmarcoFacts, PreparedDataset]:
    """A release with empty and untranslated texts planted (write_mmarco's ``empty_texts``), prepared."""
    root = tmp_path_factory.mktemp("mmarco-pitfalls")
    facts = write_mmarco(root, PITFALL_LANGUAGES, empty_texts=True)
    return root, facts, prepare(_settings(root, languages=PITFALL_LANGUAGES))


def _stats(prepared: PreparedDataset, statistic: str) -> dict[str, int]:
    return {k: v for s, k, v in prepared.statistics if s == statistic}


def test_the_default_release_counts_none_of_the_pitfalls(prepared):
    for statistic in ("documents_empty_text", "queries_empty_text", "queries_relevant_empty_text", "queries_without_relevant"):
        assert _stats(prepared, statistic) == {"all": 0}, statistic


def test_an_empty_passage_is_dropped_and_its_query_counted_in_every_pair(pitfalls):
    _root, facts, prepared = pitfalls
    assert facts.empty_passage not in {d.docid for d in prepared.documents} | set(prepared.oracle_english)
    assert all(d.text.strip() and prepared.oracle_english[d.docid].strip() for d in prepared.documents)
    assert not [t for t in prepared.topics if t.qid.endswith(f"-{facts.unjudgeable_query}")]
    empty = _stats(prepared, "documents_empty_text")
    assert empty["all"] == 1 and len(empty) == 2  # one language holds it, and the total
    lang = next(key for key in empty if key != "all")
    assert _stats(prepared, "queries_relevant_empty_text") == {**{f"{q}-{lang}": 1 for q in PITFALL_LANGUAGES}, "all": 3}
    assert _stats(prepared, "queries_without_relevant") == {"all": 1}  # the qrels query judging nothing relevant
    asked = (len(facts.dev_queries) - 1) * len(PITFALL_LANGUAGES) - 1  # less the unjudgeable query, and the empty one
    assert _stats(prepared, "test_queries")["all"] == asked


def test_an_empty_query_is_dropped_from_its_language_only(pitfalls):
    _root, facts, prepared = pitfalls
    qid, lang = facts.empty_query
    asked = {t.query_lang for t in prepared.topics if t.qid.endswith(f"-{qid}")}
    assert asked == set(PITFALL_LANGUAGES) - {lang} and all(t.text.strip() for t in prepared.topics)
    doc_lang = next(t.doc_lang for t in prepared.topics if t.qid.endswith(f"-{qid}"))
    assert _stats(prepared, "queries_empty_text") == {f"{lang}-{doc_lang}": 1, "all": 1}


def test_passages_left_untranslated_are_kept_and_counted_per_language(pitfalls):
    _root, facts, prepared = pitfalls
    lang_of = {d.docid: d.lang for d in prepared.documents}
    assert set(facts.untranslated_passages) <= set(lang_of)  # kept, as the paper keeps them
    expected = Counter(lang_of[pid] for pid in facts.untranslated_passages)
    assert _stats(prepared, "identical_to_english") == {**expected, "all": len(facts.untranslated_passages)}
