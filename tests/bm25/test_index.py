"""Tests of crossrank.bm25.index against direct computations of each library's BM25 formula.

The reference formulas are read from the installed libraries (bm25s 0.3.16 ``scoring.py`` and
``__init__.py``; rank_bm25 0.2.2 ``rank_bm25.py``), which follow Kamphuis et al. (ECIR 2020)
with a few library-specific departures noted below.
"""

from __future__ import annotations

import math
from collections import Counter

import factories
import numpy as np
import pytest

from crossrank.bm25 import index as bm25
from crossrank.bm25.analysis import Analyzer
from crossrank.bm25.index import VARIANTS, Bm25Index, Bm25Settings

K1, B, DELTA, EPSILON = 1.7, 0.6, 0.7, 0.3

DOCIDS = ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]
# "the" is in 5 of 7 documents, so Robertson/okapi idf log((N-df+0.5)/(df+0.5)) is negative.
CORPUS = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "dog", "dog", "dog", "barked"],
    ["a", "cat", "and", "a", "dog"],
    ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "today"],
    ["cat", "cat", "cat"],
    ["the", "end"],
    ["the", "mat", "is", "red", "and", "the", "cat", "is", "not", "on", "the", "mat"],
]
QUERIES = [
    ["cat"],
    ["the"],  # a term in more than half the documents
    ["dog", "barked"],
    ["cat", "cat", "mat"],  # a term repeated in the query counts twice
    ["the", "cat", "unknown"],  # unknown terms contribute nothing
    ["fox", "red", "end", "mat", "the"],
]

ALL_VARIANTS = [(backend, variant) for backend, variants in VARIANTS.items() for variant in variants]


def _stats(corpus: list[list[str]]) -> tuple[int, np.ndarray, float, list[Counter], Counter]:
    n = len(corpus)
    dl = np.array([len(doc) for doc in corpus], dtype=np.float64)
    avgdl = float(dl.mean())
    tfs = [Counter(doc) for doc in corpus]
    df = Counter(term for doc in corpus for term in set(doc))
    return n, dl, avgdl, tfs, df


def reference_scores(backend: str, variant: str, corpus: list[list[str]], query: list[str]) -> np.ndarray:
    """Each library's formula, computed term by term in float64."""
    n, dl, avgdl, tfs, df = _stats(corpus)
    norm = 1 - B + B * dl / avgdl  # length normalisation, one value per document
    scores = np.zeros(n)

    okapi_idf: dict[str, float] = {}
    if (backend, variant) == ("rank_bm25", "okapi"):
        raw = {t: math.log(n - f + 0.5) - math.log(f + 0.5) for t, f in df.items()}
        floor = EPSILON * (sum(raw.values()) / len(raw))  # epsilon times the mean of all (raw) idfs
        okapi_idf = {t: (floor if v < 0 else v) for t, v in raw.items()}

    for term in query:  # duplicates in the query add up in both libraries
        if term not in df:
            continue
        f = df[term]
        tf = np.array([counts.get(term, 0) for counts in tfs], dtype=np.float64)
        if backend == "bm25s":
            if variant == "lucene":
                # bm25s's "lucene" tf component has no (k1 + 1) factor.
                contribution = math.log(1 + (n - f + 0.5) / (f + 0.5)) * tf / (tf + K1 * norm)
            elif variant == "robertson":
                inner = (n - f + 0.5) / (f + 0.5)
                contribution = math.log(max(inner, 1.0)) * tf / (tf + K1 * norm)  # inner < 1 clamps to 1
            elif variant == "atire":
                contribution = math.log(n / f) * tf * (K1 + 1) / (tf + K1 * norm)
            elif variant == "bm25l":
                c = tf / norm
                contribution = math.log((n + 1) / (f + 0.5)) * (K1 + 1) * (c + DELTA) / (K1 + c + DELTA)
            else:  # bm25+
                contribution = math.log((n + 1) / f) * ((K1 + 1) * tf / (K1 * norm + tf) + DELTA)
        else:
            if variant == "okapi":
                contribution = okapi_idf[term] * tf * (K1 + 1) / (tf + K1 * norm)
            elif variant == "bm25l":
                # rank_bm25's BM25L multiplies by the raw tf: documents without the term get 0.
                ctd = tf / norm
                contribution = (math.log(n + 1) - math.log(f + 0.5)) * tf * (K1 + 1) * (ctd + DELTA) / (K1 + ctd + DELTA)
            else:  # bm25+
                contribution = math.log((n + 1) / f) * (DELTA + tf * (K1 + 1) / (K1 * norm + tf))
        scores += contribution
    return scores


def _settings(backend: str, variant: str) -> Bm25Settings:
    return Bm25Settings(backend=backend, variant=variant, k1=K1, b=B, delta=DELTA, epsilon=EPSILON)


def test_fixture_has_a_term_with_negative_robertson_idf() -> None:
    n, _, _, _, df = _stats(CORPUS)
    assert df["the"] > n / 2
    assert math.log((n - df["the"] + 0.5) / (df["the"] + 0.5)) < 0


def test_settings_used_are_not_the_defaults() -> None:
    defaults = Bm25Settings()
    chosen = _settings("bm25s", "lucene")
    for name in ("k1", "b", "delta", "epsilon"):
        assert getattr(chosen, name) != getattr(defaults, name), name


@pytest.mark.parametrize(("backend", "variant"), ALL_VARIANTS)
@pytest.mark.parametrize("query", QUERIES, ids=["-".join(q) for q in QUERIES])
def test_scores_match_the_librarys_formula(backend: str, variant: str, query: list[str]) -> None:
    index = Bm25Index.build(_settings(backend, variant), DOCIDS, CORPUS)
    got = np.asarray(index.scores(query), dtype=np.float64)
    expected = reference_scores(backend, variant, CORPUS, query)
    assert got.shape == (len(DOCIDS),)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("backend", "variant"), ALL_VARIANTS)
def test_repeated_query_term_counts_twice(backend: str, variant: str) -> None:
    index = Bm25Index.build(_settings(backend, variant), DOCIDS, CORPUS)
    once = np.asarray(index.scores(["dog"]), dtype=np.float64)
    twice = np.asarray(index.scores(["dog", "dog"]), dtype=np.float64)
    assert np.any(once != 0)
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-6)


def test_okapi_floors_negative_idf_at_epsilon_times_mean_idf() -> None:
    index = Bm25Index.build(_settings("rank_bm25", "okapi"), DOCIDS, CORPUS)
    scores = np.asarray(index.scores(["the"]))
    # With the floor, documents containing "the" score > 0 and the others 0.
    contains = np.array(["the" in doc for doc in CORPUS])
    assert np.all(scores[contains] > 0)
    assert np.all(scores[~contains] == 0)


def test_robertson_idf_of_a_common_term_is_clamped_to_zero() -> None:
    index = Bm25Index.build(_settings("bm25s", "robertson"), DOCIDS, CORPUS)
    assert np.all(np.asarray(index.scores(["the"])) == 0)


@pytest.mark.parametrize(("backend", "variant"), ALL_VARIANTS)
def test_save_then_load_gives_identical_scores(tmp_path, backend: str, variant: str) -> None:
    index = Bm25Index.build(_settings(backend, variant), DOCIDS, CORPUS)
    target = tmp_path / "index"
    index.save(target)
    loaded = Bm25Index.load(target)
    assert loaded.settings == index.settings
    assert loaded.docids == DOCIDS
    for query in QUERIES:
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
    # No staging directory is left behind next to the index.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


@pytest.mark.parametrize(("backend", "variant"), ALL_VARIANTS)
def test_save_replaces_an_existing_index(tmp_path, backend: str, variant: str) -> None:
    target = tmp_path / "index"
    Bm25Index.build(_settings(backend, variant), ["x"], [["zebra"]]).save(target)
    index = Bm25Index.build(_settings(backend, variant), DOCIDS, CORPUS)
    index.save(target)
    loaded = Bm25Index.load(target)
    assert loaded.docids == DOCIDS
    np.testing.assert_array_equal(loaded.scores(["cat", "mat"]), index.scores(["cat", "mat"]))


@pytest.mark.parametrize(("backend", "variant"), ALL_VARIANTS)
@pytest.mark.parametrize("query", [["unknown"], ["unknown", "zzz", "unknown"], []])
def test_query_of_unknown_terms_scores_all_zeros(backend: str, variant: str, query: list[str]) -> None:
    index = Bm25Index.build(_settings(backend, variant), DOCIDS, CORPUS)
    scores = np.asarray(index.scores(query))
    assert scores.shape == (len(DOCIDS),)
    assert np.all(scores == 0)


@pytest.mark.parametrize(
    ("backend", "variant"),
    [
        ("bm25s", "okapi"),
        ("rank_bm25", "lucene"),
        ("rank_bm25", "robertson"),
        ("rank_bm25", "atire"),
        ("lucene", "lucene"),
        ("bm25s", "BM25L"),
        ("", ""),
    ],
)
def test_invalid_backend_variant_combination_raises(backend: str, variant: str) -> None:
    with pytest.raises(ValueError, match="BM25 backend"):
        Bm25Settings(backend=backend, variant=variant)


@pytest.mark.parametrize("backend", sorted(VARIANTS))
def test_build_on_empty_corpus_raises(backend: str) -> None:
    with pytest.raises(ValueError, match="empty corpus"):
        Bm25Index.build(Bm25Settings(backend=backend, variant=VARIANTS[backend][0]), [], [])


@pytest.mark.parametrize("variant", VARIANTS["rank_bm25"])
def test_rank_bm25_empty_document_does_not_distort_other_scores(variant: str) -> None:
    corpus = [*CORPUS, []]
    index = Bm25Index.build(_settings("rank_bm25", variant), [*DOCIDS, "empty"], corpus)
    for query in QUERIES:
        np.testing.assert_allclose(index.scores(query), reference_scores("rank_bm25", variant, corpus, query), rtol=1e-5, atol=1e-6)


DOCUMENTS = factories.documents(
    {
        "en1": ("en", "The cats are running on the mat."),
        "en2": ("en", "A dog ran after the cat and the other cat."),
        "de1": ("de", "Die Katze läuft über die Matte."),
        "zh1": ("zh", "北京大学的猫"),
        "ja1": ("ja", "東京のコーヒー"),
        "en3": ("en", "Nothing relevant here at all."),
    }
)


@pytest.mark.parametrize(("backend", "variant"), [("bm25s", "lucene"), ("bm25s", "bm25+"), ("rank_bm25", "okapi"), ("rank_bm25", "bm25l")])
def test_search_returns_positive_scores_at_most_k_descending(backend: str, variant: str) -> None:
    analyzer = Analyzer()
    index = bm25.index_documents(DOCUMENTS, analyzer, _settings(backend, variant))
    topics = factories.topics(
        {
            "q_cat": ("en", "en", "cat"),
            "q_cats": ("en", "en", "running cats"),
            "q_zh": ("zh", "zh", "北京"),
            "q_ja": ("ja", "ja", "コーヒー"),
            "q_none": ("en", "en", "xylophone"),
        }
    )
    k = 2
    rankings = bm25.search(index, topics, analyzer, k=k)
    assert set(rankings) == {t.qid for t in topics}
    for topic in topics:
        ranking = rankings[topic.qid]
        assert len(ranking) <= k
        scores = [score for _, score in ranking]
        assert all(score > 0 for score in scores)
        assert scores == sorted(scores, reverse=True)
        full = np.asarray(index.scores(analyzer.tokens(topic.text, topic.query_lang)), dtype=np.float64)
        # Every returned score is the document's own score (rounded), and no better document was left out.
        for docid, score in ranking:
            assert score == pytest.approx(full[index.docids.index(docid)], abs=1e-6)
        if len(ranking) == k:
            assert np.sum(np.round(full, 6) > ranking[-1][1]) <= k - 1
        else:
            assert len(ranking) == int(np.sum(np.round(full, 6) > 0))
    assert rankings["q_none"] == []
    assert rankings["q_zh"][0][0] == "zh1"
    assert rankings["q_ja"][0][0] == "ja1"
    assert {docid for docid, _ in rankings["q_cat"]} <= {"en1", "en2"}
    assert rankings["q_cat"][0][0] == "en2"  # "cat" twice in en2


def test_search_with_lucene_drops_documents_without_a_query_term() -> None:
    analyzer = Analyzer()
    index = bm25.index_documents(DOCUMENTS, analyzer, Bm25Settings())
    rankings = bm25.search(index, factories.topics({"q": ("en", "en", "cat")}), analyzer, k=10)
    assert [docid for docid, _ in rankings["q"]] == ["en2", "en1"]


@pytest.mark.parametrize("variant", VARIANTS["bm25s"])
def test_bm25s_empty_document_follows_the_formula(variant: str) -> None:
    corpus = [*CORPUS, []]
    index = Bm25Index.build(_settings("bm25s", variant), [*DOCIDS, "empty"], corpus)
    for query in QUERIES:
        np.testing.assert_allclose(index.scores(query), reference_scores("bm25s", variant, corpus, query), rtol=1e-5, atol=1e-6)


def test_rank_bm25_rejects_a_corpus_without_any_term() -> None:
    with pytest.raises(ValueError, match="zero terms"):
        Bm25Index.build(Bm25Settings(backend="rank_bm25", variant="okapi"), ["a", "b"], [[], []])
