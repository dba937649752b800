"""The paper's CLIRMatrix protocol on a tiny MULTI-8 release in the released format (crossrank.prepare.protocols.clirmatrix)."""

from __future__ import annotations

import gzip
import json
import logging
from collections import defaultdict
from pathlib import Path

import pytest
from releases import CLIRMATRIX_MISSING_ID, ClirMatrixFacts, write_clirmatrix

from crossrank.core.errors import ConfigError, InputError
from crossrank.prepare.prepared import PreparedDataset
from crossrank.prepare.protocols.clirmatrix import ClirMatrixSettings, docid, prepare, raw_files
from crossrank.prepare.readers import clirmatrix

LANGUAGES = ["de", "en", "ja"]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ClirMatrixFacts]:
    root = tmp_path_factory.mktemp("clirmatrix")
    return root, write_clirmatrix(root, LANGUAGES)


def _settings(root: Path, **overrides) -> ClirMatrixSettings:
    params = {"languages": LANGUAGES, "queries_per_pair": 10, "train_queries_per_pair": 5, **overrides}
    return ClirMatrixSettings.from_params(params, root)


@pytest.fixture(scope="module")
def prepared(release) -> PreparedDataset:
    return prepare(_settings(release[0]))


def _stat(prepared: PreparedDataset, statistic: str, key: str) -> int | None:
    return next((v for s, k, v in prepared.statistics if s == statistic and k == key), None)


def test_every_ordered_pair_of_distinct_languages_gets_its_sample(prepared, release):
    _, facts = release
    per_pair: dict[tuple[str, str], int] = {}
    for topic in prepared.topics:
        per_pair[(topic.query_lang, topic.doc_lang)] = per_pair.get((topic.query_lang, topic.doc_lang), 0) + 1
    assert set(per_pair) == {(q, d) for q in LANGUAGES for d in LANGUAGES if q != d}
    for pair, count in per_pair.items():
        assert count == min(10, len(facts.test_queries[pair])), pair
    for topic in prepared.topics:
        source_id = topic.qid.rsplit("-", 1)[1]
        assert source_id in facts.test_queries[(topic.query_lang, topic.doc_lang)]  # eligible queries only


def test_short_pair_is_warned_and_recorded(release, caplog):
    root, facts = release
    with caplog.at_level(logging.WARNING):
        result = prepare(_settings(root))
    q, d = facts.short_pair
    assert f"pair {q}-{d} has {len(facts.test_queries[(q, d)])} usable queries, fewer than the 10 requested" in caplog.text
    assert _stat(result, "shortfall_queries", f"{q}-{d}") == 10 - len(facts.test_queries[(q, d)])
    assert _stat(result, "test_queries", f"{q}-{d}") == len(facts.test_queries[(q, d)])


def test_missing_documents_are_skipped_and_counted(prepared, release):
    _, facts = release
    pool = {d.docid for d in prepared.documents}
    assert not [docid for docid in pool if docid.endswith(CLIRMATRIX_MISSING_ID)]
    for (q, d), judged_missing in facts.missing_judged.items():
        assert _stat(prepared, "missing_documents", f"{q}-{d}") == judged_missing
    assert all(not docid.endswith(CLIRMATRIX_MISSING_ID) for rels in prepared.qrels.values() for docid in rels)


def test_no_leakage_between_pairs(prepared):
    """Page ids repeat across languages: qrels must only name documents of the topic's own document language."""
    lang_of = {d.docid: d.lang for d in prepared.documents}
    texts = {d.docid: d.text for d in prepared.documents}
    shared = {docid.split("-", 1)[1] for docid in texts if docid.startswith("de-")} & {
        docid.split("-", 1)[1] for docid in texts if docid.startswith("ja-")
    }
    assert shared and all(texts[f"de-{page}"] != texts[f"ja-{page}"] for page in shared)  # one page id, two documents
    assert len({t.qid for t in prepared.topics}) == len(prepared.topics)
    for topic in prepared.topics:
        assert {lang_of[docid] for docid in prepared.qrels[topic.qid]} == {topic.doc_lang}, topic.qid


def test_label_zero_is_kept_but_not_relevant(prepared):
    labels = {label for rels in prepared.qrels.values() for label in rels.values()}
    assert 0 in labels and 6 in labels
    assert all(max(rels.values()) >= 1 for rels in prepared.qrels.values())


def test_pool_rules_nest(release):
    root, _ = release
    sizes = {rule: len(prepare(_settings(root, pool=rule, train_queries_per_pair=0)).documents) for rule in ("top", "relevant", "judged")}
    assert sizes["top"] < sizes["relevant"] < sizes["judged"]
    top = prepare(_settings(root, pool="top", train_queries_per_pair=0))
    for topic in top.topics:  # every topic's best document is in the pool
        assert 6 in top.qrels[topic.qid].values()


def test_sampling_is_deterministic_and_pair_local(prepared, release):
    root, _ = release
    again = prepare(_settings(root))
    assert again.topics == prepared.topics and again.documents == prepared.documents and again.qrels == prepared.qrels
    fewer = prepare(_settings(root, languages=["de", "en"], train_queries_per_pair=0))
    de_en = [t for t in prepared.topics if (t.query_lang, t.doc_lang) == ("de", "en")]
    assert [t for t in fewer.topics if (t.query_lang, t.doc_lang) == ("de", "en")] == de_en
    reseeded = prepare(_settings(root, seed=7, train_queries_per_pair=0))
    assert [t.qid for t in reseeded.topics] != [t.qid for t in prepared.topics]


def test_training_pairs_come_from_the_train_split_and_avoid_the_pool(prepared):
    evaluated = {t.qid.rsplit("-", 1)[1] for t in prepared.topics}
    pool_texts = {(d.lang, d.text) for d in prepared.documents}
    assert len(prepared.query_documents) == 6 * 5
    for row_id, q, _query, d, document in prepared.query_documents:
        assert row_id.rsplit("-", 1)[1] not in evaluated
        assert q != d and (d, document) not in pool_texts
    assert _stat(prepared, "training", "query_documents") == 30


def test_training_candidates_are_the_label_0_results_in_release_order_never_in_the_pool(prepared, release):
    root, _ = release
    pool = {(d.lang, d.text) for d in prepared.documents}
    texts = {lang: clirmatrix.read_documents(root / "DOCS" / f"{lang}.tsv.gz") for lang in LANGUAGES}
    expected, excluded = {}, 0
    for row_id, q, _query, d, _document in prepared.query_documents:
        source = row_id.rsplit("-", 1)[1]
        query = next(x for x in clirmatrix.read_queries(root / "MULTI-8" / q / f"{q}.{d}.train.jl.gz") if x.qid == source)
        zero = [texts[d][doc] for doc, label in query.judgments.items() if label == 0 and doc in texts[d]]
        expected[row_id] = [text for text in zero if (d, text) not in pool]
        excluded += len(zero) - len(expected[row_id])
    got: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row_id, rank, lang, text in prepared.training_candidates:
        assert lang == row_id.split("-")[1], "a candidate is in its pair's document language"
        got[row_id].append((rank, text))
    assert {row_id: [text for _, text in sorted(found)] for row_id, found in got.items()} == {k: v for k, v in expected.items() if v}
    assert excluded and len(prepared.training_candidates) > 30, "the fixture has label-0 results in the pool and outside it"
    assert _stat(prepared, "training", "candidates") == len(prepared.training_candidates)
    capped = prepare(_settings(root, train_candidates_per_query=1))
    assert [(row_id, text) for row_id, _rank, _lang, text in capped.training_candidates] == [
        (row_id, found[0]) for row_id, found in expected.items() if found
    ]


def test_raw_files_name_every_file_read(release):
    root, _ = release
    files = raw_files(_settings(root))
    assert "MULTI-8/de/de.ja.test1.jl.gz" in files and "MULTI-8/ja/ja.en.train.jl.gz" in files and "DOCS/ja.tsv.gz" in files
    assert len(files) == 6 * 2 + 3
    assert all((root / f).exists() for f in files)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"languages": ["de", "xx"]}, r"'clirmatrix\.languages': unknown language code\(s\) \['xx'\]"),
        ({"languages": ["de", "sw"]}, r"unknown language code\(s\) \['sw'\]"),  # BI-139 has sw, MULTI-8 does not
        ({"pool": "all"}, r"'clirmatrix\.pool'"),
        ({"queries": "MULTI-8/{qlang}.{split}.jl.gz"}, r"'clirmatrix\.queries'.*lacks the placeholders \['dlang'\]"),
        ({"train_split": "test1"}, r"would leak test queries"),
    ],
)
def test_bad_settings_name_the_key(release, overrides, message):
    with pytest.raises(ConfigError, match=message):
        _settings(release[0], **overrides)


def test_bi139_accepts_its_languages(release):
    assert _settings(release[0], collection="bi139-base", languages=["de", "sw"]).languages == ("de", "sw")


def test_malformed_query_line_names_file_and_line(tmp_path):
    write_clirmatrix(tmp_path, LANGUAGES)
    path = tmp_path / "MULTI-8/en/en.ja.test1.jl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    lines[3] = lines[3][:-5]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"en\.ja\.test1\.jl\.gz:4: malformed JSON"):
        prepare(_settings(tmp_path))


def test_malformed_document_row_names_file_and_line(tmp_path):
    write_clirmatrix(tmp_path, LANGUAGES)
    path = tmp_path / "DOCS/de.tsv.gz"
    with gzip.open(path, "at", encoding="utf-8") as handle:
        handle.write("a row without its tab\n")
    with pytest.raises(InputError, match=r"de\.tsv\.gz:\d+: expected 'doc_id<TAB>text', found no tab"):
        prepare(_settings(tmp_path))


def test_a_query_evaluated_in_one_pair_is_not_trained_on_in_another(tmp_path):
    """If a release shares queries between the splits of different pairs, the test query must not become training material."""
    write_clirmatrix(tmp_path, LANGUAGES)
    evaluated = prepare(_settings(tmp_path, train_queries_per_pair=0))
    topic = next(t for t in evaluated.topics if (t.query_lang, t.doc_lang) == ("en", "de"))
    source_id = topic.qid.rsplit("-", 1)[1]
    train_file = tmp_path / "MULTI-8/en/en.ja.train.jl.gz"
    with gzip.open(train_file, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    record = json.loads(lines[0])  # a training query whose document is nowhere in the pool, renamed as the evaluated query
    lines.append(json.dumps({**record, "src_id": source_id, "src_query": topic.text}, ensure_ascii=False))
    with gzip.open(train_file, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    prepared = prepare(_settings(tmp_path, train_queries_per_pair=100))
    assert topic in prepared.topics
    assert not [row for row in prepared.query_documents if row[1] == "en" and row[2] == topic.text]
    assert _stat(prepared, "training", "dropped_query_evaluated") == 1


@pytest.fixture(scope="module")
def pitfalls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ClirMatrixFacts]:
    """A release with empty documents and queries planted (write_clirmatrix's ``empty_texts``)."""
    root = tmp_path_factory.mktemp("clirmatrix-pitfalls")
    return root, write_clirmatrix(root, LANGUAGES, empty_texts=True)


def test_queries_without_a_relevant_document_are_counted_per_pair(prepared, release):
    _, facts = release
    planted = facts.not_eligible["queries_without_relevant"]
    assert planted and all(n == 1 for n in planted.values())  # each pair's last query judges only a missing document
    for (q, d), n in planted.items():
        assert _stat(prepared, "queries_without_relevant", f"{q}-{d}") == n
        assert _stat(prepared, "available_queries", f"{q}-{d}") == len(facts.test_queries[(q, d)])
    assert _stat(prepared, "queries_without_relevant", "all") == sum(planted.values())
    assert _stat(prepared, "queries_empty_text", "all") == _stat(prepared, "documents_empty_text", "all") == 0


@pytest.mark.parametrize("pool", ["top", "relevant", "judged"])
def test_empty_texts_are_dropped_and_counted_never_pooled(pitfalls, pool):
    root, facts = pitfalls
    prepared = prepare(_settings(root, pool=pool))
    for reason, planted in facts.not_eligible.items():
        assert planted, reason
        for (q, d), n in planted.items():
            assert _stat(prepared, reason, f"{q}-{d}") == n, (reason, q, d)
        assert _stat(prepared, reason, "all") == sum(planted.values()), reason
    for lang, n in facts.empty_documents.items():
        assert _stat(prepared, "documents_empty_text", lang) == n
    assert _stat(prepared, "documents_empty_text", "all") == sum(facts.empty_documents.values())
    empty = {docid(lang, page) for lang, page in facts.empty_document_ids.items()}
    assert not empty & {d.docid for d in prepared.documents} and all(d.text.strip() for d in prepared.documents)
    assert not empty & {doc for judged in prepared.qrels.values() for doc in judged}
    assert all(t.text.strip() for t in prepared.topics)
    for topic in prepared.topics:  # only the eligible queries are drawn
        assert topic.qid.rsplit("-", 1)[1] in facts.test_queries[(topic.query_lang, topic.doc_lang)]
    assert all(row[2].strip() and row[4].strip() for row in prepared.query_documents)
    assert all(text.strip() for *_, text in prepared.training_candidates)


def test_empty_judged_documents_are_told_apart_by_the_reader(pitfalls):
    root, facts = pitfalls
    judged = {facts.empty_document_ids["de"], "100", CLIRMATRIX_MISSING_ID}
    present = clirmatrix.present_ids(root / "DOCS/de.tsv.gz", judged)
    assert present.empty == {facts.empty_document_ids["de"]} and present.all == judged - {CLIRMATRIX_MISSING_ID}
