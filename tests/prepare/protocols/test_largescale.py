"""The paper's Large-Scale CLIR protocol on tiny split and full releases (crossrank.prepare.protocols.largescale)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from releases import (
    LARGESCALE_DIRECTORIES,
    LARGESCALE_FULL_PITFALLS,
    LARGESCALE_SPLIT_PITFALLS,
    write_largescale_full,
    write_largescale_split,
)

from crossrank.core.errors import ConfigError, InputError
from crossrank.prepare.protocols.largescale import LargeScaleSettings, prepare, raw_files
from crossrank.prepare.readers.wikiclir import text_id

LANGUAGES = ["de", "ja", "simple"]


def _settings(root: Path, **overrides) -> LargeScaleSettings:
    params = {"languages": LANGUAGES, "queries_per_pair": 10, "train_queries_per_pair": 3, **overrides}
    return LargeScaleSettings.from_params(params, root)


@pytest.fixture(scope="module")
def split_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("largescale-split")
    write_largescale_split(root, LANGUAGES)
    return root


@pytest.fixture(scope="module")
def full_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("largescale-full")
    write_largescale_full(root, LANGUAGES)
    return root


def test_split_release_english_queries_against_each_language(split_root):
    prepared = prepare(_settings(split_root))
    assert Counter((t.query_lang, t.doc_lang) for t in prepared.topics) == {("en", lang): 10 for lang in LANGUAGES}
    topic = prepared.topics[0]
    assert topic.qid == f"en-{topic.doc_lang}-{text_id('q', topic.text)}"  # ids derived from the id-less text
    labels = Counter(label for rels in prepared.qrels.values() for label in rels.values())
    assert set(labels) == {0, 1, 2}  # the 0-label negatives listed with each query join the pool
    lang_of = {d.docid: d.lang for d in prepared.documents}
    for topic in prepared.topics:
        assert {lang_of[docid] for docid in prepared.qrels[topic.qid]} == {topic.doc_lang}
    simple = [d for d in prepared.documents if d.lang == "simple"]
    assert simple and all(d.docid.startswith("simple-") for d in simple)


def test_split_release_training_avoids_evaluated_documents_and_queries(split_root):
    prepared = prepare(_settings(split_root))
    pool = {(d.lang, d.text) for d in prepared.documents}
    evaluated = {t.text for t in prepared.topics}
    for _id, q, query, d, document in prepared.query_documents:
        assert q == "en" and (d, document) not in pool and query not in evaluated
    dropped = dict(((s, k), v) for s, k, v in prepared.statistics if s == "training")
    assert dropped[("training", "query_documents")] == len(prepared.query_documents)
    assert dropped[("training", "dropped_document_in_pool")] > 0  # the fixture's training articles reappear as test negatives


def test_split_release_is_deterministic_and_seeded(split_root):
    first, again = prepare(_settings(split_root)), prepare(_settings(split_root))
    assert first.topics == again.topics and first.documents == again.documents
    assert [t.qid for t in prepare(_settings(split_root, seed=9)).topics] != [t.qid for t in first.topics]


def test_full_release_namespaces_page_ids_and_excludes_evaluated_queries_from_training(full_root):
    prepared = prepare(_settings(full_root, release="full"))
    assert {t.doc_lang for t in prepared.topics} == set(LANGUAGES)
    assert all(d.docid.split("-", 1)[0] == d.lang for d in prepared.documents)
    ids = Counter(d.docid.split("-", 1)[1] for d in prepared.documents)
    assert max(ids.values()) > 1  # the same page id in several languages, kept apart
    evaluated = {t.qid.rsplit("-", 1)[1] for t in prepared.topics}
    assert all(row[0].rsplit("-", 1)[1] not in evaluated for row in prepared.query_documents)
    assert prepared.topics[0].text.endswith("is a country.")  # the first sentence, not the title


def test_full_release_document_absent_names_the_rel_line(tmp_path):
    write_largescale_full(tmp_path, LANGUAGES)
    rel = tmp_path / "wiki-clir" / LARGESCALE_DIRECTORIES["ja"] / "en2ja.rel"
    rel.write_text("300\t8888\t1\n" + rel.read_text())
    with pytest.raises(InputError, match=r"en2ja\.rel:1: document '8888' is judged here but absent from .*wiki_ja\.documents"):
        prepare(_settings(tmp_path, release="full", queries_per_pair=0))


def test_full_release_bad_relevance_names_the_line(tmp_path):
    write_largescale_full(tmp_path, LANGUAGES)
    rel = tmp_path / "wiki-clir" / LARGESCALE_DIRECTORIES["de"] / "en2de.rel"
    rel.write_text(rel.read_text() + "300\t41\t3\n")
    with pytest.raises(InputError, match=r"en2de\.rel:\d+: relevance 3 is not one of"):
        prepare(_settings(tmp_path, release="full"))


def test_split_release_malformed_line_names_file_and_line(tmp_path):
    write_largescale_split(tmp_path, LANGUAGES)
    path = tmp_path / "data_en_ja" / "test1.txt"
    lines = path.read_text().splitlines()
    lines[5] = "2\tonly a query"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"test1\.txt:6: expected 3 tab-separated fields"):
        prepare(_settings(tmp_path))


def test_raw_files_per_release(split_root, full_root):
    assert raw_files(_settings(split_root)) == [f"data_en_{lang}/{split}.txt" for lang in LANGUAGES for split in ("test1", "train")]
    full = raw_files(_settings(full_root, release="full"))
    assert full[0] == "wiki-clir/english/wiki_en.queries"
    assert "wiki-clir/simple_english/wiki_simple.documents" in full and "wiki-clir/simple_english/en2simple.rel" in full


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"languages": ["de", "en"]}, r"unknown language code\(s\) \['en'\]"),  # queries are English; documents never are
        ({"release": "both"}, r"'largescale\.release'"),
        ({"split_file": "data/{split}.txt"}, r"lacks the placeholders \['lang'\]"),
    ],
)
def test_bad_settings_name_the_key(split_root, overrides, message):
    with pytest.raises(ConfigError, match=message):
        _settings(split_root, **overrides)


def test_split_release_keeps_queries_with_repeated_text_apart(tmp_path):
    write_largescale_split(tmp_path, LANGUAGES)
    path = tmp_path / "data_en_de" / "test1.txt"
    first = path.read_text().splitlines()[0].split("\t")[1]
    path.write_text(path.read_text() + f"2\t{first}\tEin ganz anderer Artikel.\n0\t{first}\tNoch ein Artikel.\n")
    prepared = prepare(_settings(tmp_path, queries_per_pair=0, train_queries_per_pair=0))
    same = [t for t in prepared.topics if t.doc_lang == "de" and t.text == first]
    assert len(same) == 2 and len({t.qid for t in same}) == 2
    assert [len(prepared.qrels[t.qid]) for t in same] == [4, 2]  # neither query's judgments overwrite the other's
    assert ("repeated_query_texts", "de", 1) in prepared.statistics


@pytest.mark.parametrize("release", ["split", "full"])
def test_linked_pool_holds_one_article_per_sampled_query(split_root, full_root, release):
    root = split_root if release == "split" else full_root
    judged = prepare(_settings(root, release=release, train_queries_per_pair=0))
    linked = prepare(_settings(root, release=release, train_queries_per_pair=0, pool="linked"))
    assert [t.qid for t in linked.topics] == [t.qid for t in judged.topics]  # the same draw
    pool = {d.docid for d in linked.documents}
    # One document per sampled query: each query's own article (rel 2), every one of them distinct here.
    linked_articles = {qid: [doc for doc, label in judged.qrels[qid].items() if label == 2] for qid in judged.qrels}
    assert all(len(docs) == 1 for docs in linked_articles.values())
    assert pool == {docs[0] for docs in linked_articles.values()}
    assert len(linked.documents) == len(linked.topics) < len(judged.documents)
    for topic in linked.topics:
        assert linked.qrels[topic.qid][linked_articles[topic.qid][0]] == 2
        assert set(linked.qrels[topic.qid]) <= pool  # qrels never name a document outside the pool
        assert linked.qrels[topic.qid] == {doc: label for doc, label in judged.qrels[topic.qid].items() if doc in pool}
    statistics = {(s, k): v for s, k, v in linked.statistics}
    assert statistics[("documents", "all")] == len(linked.topics)
    assert statistics[("paper", "documents_approx")] == 26000
    assert (statistics[("paper", "pairs_stated")], statistics[("paper", "pairs_table1")]) == (26, 25)


def test_unknown_pool_names_the_key(split_root):
    with pytest.raises(ConfigError, match=r"'largescale.pool': 'all' is not one of \['judged', 'linked'\]"):
        _settings(split_root, pool="all")


def test_a_query_without_a_rel2_article_pools_its_best_document_and_is_counted(tmp_path):
    for lang in LANGUAGES:
        lines = ["2\tAlpha is a country.\tAlpha article", "0\tAlpha is a country.\tnoise one"]
        lines += ["1\tBeta is a country.\tBeta linked", "0\tBeta is a country.\tnoise two"]
        (tmp_path / f"data_en_{lang}").mkdir()
        (tmp_path / f"data_en_{lang}" / "test1.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    prepared = prepare(_settings(tmp_path, train_queries_per_pair=0, pool="linked"))
    assert len(prepared.documents) == 2 * len(LANGUAGES)  # one per query: Beta's rel-1 document stands in
    assert {max(judged.values()) for judged in prepared.qrels.values()} == {1, 2}
    counted = {(s, k): v for s, k, v in prepared.statistics if s == "queries_without_rel2"}
    assert counted == {("queries_without_rel2", lang): 1 for lang in LANGUAGES}


REASONS = ("queries_empty_text", "queries_without_relevant", "queries_relevant_empty_text")


@pytest.mark.parametrize(("release", "pool"), [("split", "judged"), ("split", "linked"), ("full", "judged"), ("full", "linked")])
def test_empty_texts_and_queries_without_relevant_documents_are_counted_per_pair(tmp_path, release, pool):
    planted = LARGESCALE_SPLIT_PITFALLS if release == "split" else LARGESCALE_FULL_PITFALLS
    if release == "split":
        write_largescale_split(tmp_path, LANGUAGES, empty_texts=True)
    else:
        write_largescale_full(tmp_path, LANGUAGES, empty_texts=True)
    prepared = prepare(_settings(tmp_path, release=release, pool=pool, queries_per_pair=0))
    statistics = {(s, k): v for s, k, v in prepared.statistics}
    for reason in REASONS:
        for lang in LANGUAGES:
            assert statistics.get((reason, f"en-{lang}"), 0) == planted.get(reason, 0), (reason, lang)
        assert statistics[(reason, "all")] == planted.get(reason, 0) * len(LANGUAGES), reason
    for lang in LANGUAGES:
        assert statistics[("documents_empty_text", lang)] == planted["documents_empty_text"]
    assert all(d.text.strip() for d in prepared.documents) and all(t.text.strip() for t in prepared.topics)
    assert text_id(f"{LANGUAGES[0]}-", "") not in {d.docid for d in prepared.documents}
    assert all(max(judged.values()) >= 1 for judged in prepared.qrels.values())
    assert all(row[2].strip() and row[4].strip() for row in prepared.query_documents)


def test_the_default_releases_count_no_empty_text(split_root, full_root):
    for root, release in ((split_root, "split"), (full_root, "full")):
        statistics = {(s, k): v for s, k, v in prepare(_settings(root, release=release)).statistics}
        assert all(statistics[(reason, "all")] == 0 for reason in (*REASONS, "documents_empty_text")), release
