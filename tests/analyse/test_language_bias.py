"""Tests of crossrank.analyse.language_bias against hand computations on a six-document pool."""

from __future__ import annotations

import random

import factories
import numpy as np
import pandas as pd
import pytest

from crossrank.analyse.language_bias import BIAS_COLUMNS, language_bias, ranked_docids
from crossrank.core.contract import MACRO, read_docs_table, read_topics
from crossrank.core.errors import InputError
from crossrank.core.runs import DocidOrder, read_run, top_k

# Pool shares: en 3/6, de 2/6, fr 1/6. The run's top 2: q1 (en->de) e1, then the tie g1/g2 goes to g2;
# q2 (en->en) only e2; q3 (de->en) g1, f1; q4 (fr->fr) is absent from the run; q5 (de->fr) retrieved nothing.
POOL = factories.six_document_pool()
DOC_LANGS, TOPICS, RUN = POOL.doc_langs, POOL.topics, POOL.run


def _values(frame: pd.DataFrame, measure: str) -> dict[tuple[str, str], tuple[float, float, int]]:
    rows = frame[frame["measure"] == measure]
    return {
        (q, d): (v, e, n) for q, d, v, e, n in rows[["query_lang", "doc_lang", "value", "expected", "n_queries"]].itertuples(index=False)
    }


@pytest.fixture
def frame() -> pd.DataFrame:
    return language_bias("tiny", "dense.m.original", RUN, TOPICS, DOC_LANGS, depth=2, source="runs/dense.m.original.run")


def test_ranking_is_score_descending_then_docid_descending_bytes():
    scores = {"a": 1.0, "b": 2.0, "c": 2.0, "B": 2.0, "d": 0.5}
    assert ranked_docids(scores, 10) == ["c", "b", "B", "a", "d"]  # b'c' > b'b' > b'B'
    assert ranked_docids(scores, 3) == ["c", "b", "B"]
    assert ranked_docids(scores, 0) == []
    assert ranked_docids({}, 5) == []
    # Scores equal at runs.SCORE_DECIMALS decimals tie, as in runs.top_k.
    assert ranked_docids({"x": 1.0000001, "y": 1.0}, 2) == ["y", "x"]


def test_ranking_agrees_with_runs_top_k():
    rng = random.Random(7)
    docids = [f"d{i}" for i in range(60)] + ["D1", "é", "z"]
    scores = np.array([rng.choice([0.5, 1.0, 1.25, rng.random()]) for _ in docids])
    expected = [docid for docid, _ in top_k(scores, 20, DocidOrder(docids))]
    assert ranked_docids(dict(zip(docids, scores.tolist(), strict=True)), 20) == expected


def test_ranking_ignores_the_rank_column_of_the_run_file(tmp_path):
    path = tmp_path / "x.run"
    path.write_text("q1 Q0 a 1 1.000000 t\nq1 Q0 b 2 3.000000 t\nq1 Q0 c 3 3.000000 t\n")
    assert ranked_docids(read_run(path)["q1"], 2) == ["c", "b"]


def test_frame_has_the_tidy_columns_and_a_sorted_order(frame):
    assert tuple(frame.columns) == BIAS_COLUMNS
    assert set(frame["system"]) == {"dense.m"} and set(frame["condition"]) == {"original"} and set(frame["dataset"]) == {"tiny"}
    keys = list(zip(frame["measure"], frame["query_lang"] != MACRO, frame["query_lang"], frame["doc_lang"], strict=True))
    assert keys == sorted(keys)
    again = language_bias("tiny", "dense.m.original", dict(reversed(RUN.items())), TOPICS[::-1], DOC_LANGS, depth=2)
    pd.testing.assert_frame_equal(frame, again)


def test_same_language_per_query_language_and_macro(frame):
    values = _values(frame, "same_language")
    # en: q1 has e1 of (e1, g2) -> 1/2; q2 retrieved only e2 -> 1/1; mean 3/4, pool share 3/6.
    assert values[("en", "en")] == pytest.approx((0.75, 0.5, 2))
    # de: q3 has g1 of (g1, f1) -> 1/2; q5 retrieved nothing and is skipped; pool share 2/6.
    assert values[("de", "de")] == pytest.approx((0.5, 1 / 3, 1), abs=1e-6)
    # fr: its only query is absent from the run, so no row.
    assert ("fr", "fr") not in values
    # all: macro over query languages, not over queries ((1/2 + 1 + 1/2) / 3 would be 2/3).
    assert values[(MACRO, MACRO)] == pytest.approx((0.625, (0.5 + 1 / 3) / 2, 3), abs=1e-6)
    assert len(values) == 3


def test_retrieved_language_counts_only_cross_language_queries(frame):
    values = _values(frame, "retrieved_language")
    # en queries: only q1 (q2 is monolingual); top 2 = e1 (en), g2 (de).
    assert values[("en", "en")] == pytest.approx((0.5, 0.5, 1))
    assert values[("en", "de")] == pytest.approx((0.5, 1 / 3, 1), abs=1e-6)
    assert values[("en", "fr")] == pytest.approx((0.0, 1 / 6, 1), abs=1e-6)  # never retrieved, still a row
    # de queries: only q3 (q5 retrieved nothing); top 2 = g1 (de), f1 (fr).
    assert values[("de", "de")] == pytest.approx((0.5, 1 / 3, 1), abs=1e-6)
    assert values[("de", "en")] == pytest.approx((0.0, 0.5, 1))
    assert values[("de", "fr")] == pytest.approx((0.5, 1 / 6, 1), abs=1e-6)
    # all: the mean over the two query languages.
    assert values[(MACRO, "en")][0] == pytest.approx(0.25)
    assert values[(MACRO, "de")][0] == pytest.approx(0.5)
    assert values[(MACRO, "fr")] == pytest.approx((0.25, 1 / 6, 2), abs=1e-6)
    rows = frame[frame["measure"] == "retrieved_language"]
    assert rows.groupby("query_lang")["value"].sum().to_dict() == pytest.approx({"en": 1.0, "de": 1.0, MACRO: 1.0})
    assert rows.groupby("query_lang")["expected"].sum().to_dict() == pytest.approx({"en": 1.0, "de": 1.0, MACRO: 1.0}, abs=1e-5)
    assert len(rows) == 9


def test_pool_language_never_retrieved_gets_zero_rows():
    doc_langs = {**DOC_LANGS, "j1": "ja"}
    values = _values(language_bias("tiny", "bm25.original", RUN, TOPICS, doc_langs, depth=2), "retrieved_language")
    assert {q for q, d in values if d == "ja"} == {"en", "de", MACRO}
    assert all(values[(q, "ja")][:2] == pytest.approx((0.0, 1 / 7), abs=1e-6) for q in ("en", "de", MACRO))


def test_monolingual_run_has_no_retrieved_language_rows():
    topics = factories.topics([("q2", "en", "en", "monolingual")])
    frame = language_bias("tiny", "bm25.original", {"q2": {"e2": 1.0, "g1": 0.5}}, topics, DOC_LANGS, depth=10)
    assert set(frame["measure"]) == {"same_language"}
    assert _values(frame, "same_language")[(MACRO, MACRO)] == pytest.approx((0.5, 0.5, 1))


def test_contract_files_round_trip(tmp_path):
    files = factories.write_contract(tmp_path, docs_table=DOC_LANGS, topics=TOPICS)
    frame = language_bias("tiny", "dense.m.original", RUN, read_topics(files["topics"]), read_docs_table(files["docs"]), 2)
    assert _values(frame, "same_language")[(MACRO, MACRO)][0] == pytest.approx(0.625)


def test_unknown_document_names_the_run_file():
    run = {"q1": {"e1": 1.0, "zz9": 0.5}}
    with pytest.raises(
        InputError, match=r"^runs/x\.run: query 'q1' retrieved document 'zz9', not in the document pool.*Fix: pass the docs\.tsv"
    ):
        language_bias("tiny", "bm25.original", run, TOPICS, DOC_LANGS, depth=1, source="runs/x.run")


def test_unknown_query_is_rejected():
    with pytest.raises(InputError, match=r"^runs/x\.run: query 'q99' is not in the topics.*Fix: pass the topics\.tsv"):
        language_bias("tiny", "bm25.original", {"q99": {"e1": 1.0}}, TOPICS, DOC_LANGS, depth=1, source="runs/x.run")


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="depth"):
        language_bias("tiny", "bm25.original", RUN, TOPICS, DOC_LANGS, depth=0)
    with pytest.raises(ValueError, match=r"<retriever>\.<condition>"):
        language_bias("tiny", "bm25", RUN, TOPICS, DOC_LANGS, depth=1)


def test_simple_english_documents_are_english_for_english_queries():
    # Large-Scale: English queries; pool en-style Simple English (2 documents), German (2).
    doc_langs = {"s1": "simple", "s2": "simple", "g1": "de", "g2": "de"}
    topics = factories.topics({"q1": ("en", "simple", "to Simple English"), "q2": ("en", "de", "to German")})
    run = {"q1": {"s1": 2.0, "g1": 1.0}, "q2": {"s2": 2.0, "g2": 1.0}}
    frame = language_bias("largescale", "bm25.original", run, topics, doc_langs, depth=2)
    same = _values(frame, "same_language")
    # Both queries retrieve one Simple English document of two: half their top 2 is in the query's language.
    assert same[("en", "en")] == (0.5, 0.5, 2)
    retrieved = _values(frame, "retrieved_language")
    # Only q2 (en -> de) is a cross-language query; en -> simple is same-language, as Table 1 counts it.
    assert retrieved[("en", "en")] == (0.5, 0.5, 1)
    assert retrieved[("en", "de")] == (0.5, 0.5, 1)
    assert "simple" not in set(frame["doc_lang"])
