"""Tests of crossrank.rerank.negatives and .training_data: easy and hard negatives, the stratified split, the paper's CSV."""

from __future__ import annotations

import factories
import pytest

from crossrank.core.errors import InputError
from crossrank.finetune.pairs import TextPair
from crossrank.rerank.negatives import Example, easy_negatives, hard_negatives, read_examples, stratified_split, write_examples
from crossrank.rerank.training_data import Candidate, HardNegatives, read_candidates, training_examples, training_side

RELEVANT = {"q1": {"d1"}, "q2": {"d2", "d3"}}
DOCUMENTS = [f"d{i}" for i in range(1, 11)]
BM25 = factories.BM25_SETTINGS


def test_easy_negatives_are_seeded_never_relevant_and_independent_of_other_queries():
    drawn = easy_negatives(RELEVANT, DOCUMENTS, per_positive=2, seed=5)
    assert len(drawn["q1"]) == 2 and len(drawn["q2"]) == 4
    assert not set(drawn["q1"]) & RELEVANT["q1"] and not set(drawn["q2"]) & RELEVANT["q2"]
    assert drawn == easy_negatives(RELEVANT, DOCUMENTS, per_positive=2, seed=5)
    assert drawn != easy_negatives(RELEVANT, DOCUMENTS, per_positive=2, seed=6)
    assert easy_negatives({"q1": {"d1"}}, DOCUMENTS, 2, 5)["q1"] == drawn["q1"]  # a query's draw ignores the others


def test_hard_negatives_are_the_top_of_the_ranking_without_any_relevant_document():
    rankings = {"q1": ["d1", "d7", "d4", "d9"], "q2": ["d3", "d5", "d2", "d8", "d6", "d1"]}
    assert hard_negatives(RELEVANT, rankings, per_positive=1) == {"q1": ["d7"], "q2": ["d5", "d8"]}


def test_bm25_hard_negatives_share_words_with_the_query_and_easy_ones_are_random():
    pairs = [
        TextPair("a", "en", "river bank flood", "en", "The river bank flooded in spring."),
        TextPair("b", "en", "bank interest rates", "en", "The central bank raised interest rates."),
        TextPair("c", "en", "mountain climbing", "en", "Climbing the mountain took two days."),
        TextPair("d", "en", "river fishing", "en", "Fishing on the river at dawn."),
    ]
    _queries, documents, relevant = training_side(pairs)
    assert relevant["a|en"] == {next(d for d, doc in documents.items() if doc.text.startswith("The river bank"))}
    hard = training_examples(pairs, "hard", 1, seed=1, max_queries=0, hard=HardNegatives(bm25=BM25))
    negative = {row.query: row.document for row in hard if row.label == 0}
    assert negative["river bank flood"] in ("The central bank raised interest rates.", "Fishing on the river at dawn.")
    assert [row.label for row in hard] == [1, 0, 1, 0, 1, 1, 0]  # "mountain climbing" shares no word with another document
    easy = training_examples(pairs, "easy", 1, seed=1, max_queries=0)
    assert all(row.document != positive.document for row, positive in zip(easy[1::2], easy[0::2], strict=True))
    assert len(training_examples(pairs, "easy", 1, seed=1, max_queries=2)) == 4
    with pytest.raises(ValueError, match="hard negatives need their source"):
        training_examples(pairs, "hard", 1, seed=1, max_queries=0)
    with pytest.raises(ValueError, match="need the bm25 settings"):
        HardNegatives("retriever", "bm25")


PAIRS = [
    TextPair("de-en-1", "de", "Fluss Ufer", "en", "The river bank flooded."),
    TextPair("de-en-2", "de", "Zinsen", "en", "The bank raised interest rates."),
    TextPair("ja-en-3", "ja", "山", "en", "Climbing the mountain."),
]


def test_release_hard_negatives_follow_the_release_ranks_and_skip_relevant_documents(caplog):
    candidates = [
        Candidate("de-en-1", 2, "en", "A second candidate."),
        Candidate("de-en-1", 1, "en", "The bank raised interest rates."),  # another query's positive: a fair negative here
        Candidate("de-en-2", 1, "en", "The bank raised interest rates."),  # its own positive: never a negative
        Candidate("de-en-2", 2, "en", "Rates at the bank."),
        Candidate("xx-en-9", 1, "en", "A query nobody trains on."),
    ]
    rows = training_examples(PAIRS, "hard", 2, seed=1, max_queries=0, hard=HardNegatives("release"), candidates=candidates)
    negatives = {}
    for row in rows:
        if row.label == 0:
            negatives.setdefault(row.query, []).append(row.document)
    assert negatives == {
        "Fluss Ufer": ["The bank raised interest rates.", "A second candidate."],
        "Zinsen": ["Rates at the bank."],
    }
    assert "hard negatives (release): 2 of 3 training queries have fewer than wanted" in caplog.text  # 山 has none, Zinsen one


def test_dense_hard_negatives_are_the_top_of_exact_cosine_search_over_the_training_side(tiny_bert, tmp_path):
    import numpy as np

    from crossrank.core.encoder_model import EncoderSpec
    from crossrank.dense.embedding import Embedder
    from crossrank.dense.encoders import EmbeddingSettings

    entry = {"model": str(tiny_bert), "max_length": 32, "batch_size": 4, "query_prefix": "query: ", "document_prefix": "passage: "}
    hard = HardNegatives("retriever", "tiny", encoder=entry, embedding={"device": "cpu"}, cache_root=str(tmp_path))
    rows = training_examples(PAIRS, "hard", 1, seed=1, max_queries=0, hard=hard)
    got = {row.query: row.document for row in rows if row.label == 0}
    embedder = Embedder(EncoderSpec.from_params("tiny", entry), EmbeddingSettings(device="cpu"), tmp_path)
    documents = sorted({pair.text_b for pair in PAIRS})
    doc_vectors = embedder.embed([f"passage: {text}" for text in documents])
    for pair in PAIRS:
        scores = doc_vectors @ embedder.embed([f"query: {pair.text_a}"])[0]
        best = next(documents[i] for i in np.argsort(-scores, kind="stable") if documents[i] != pair.text_b)
        assert got[pair.text_a] == best
    assert len(got) == 3 and all(got[pair.text_a] != pair.text_b for pair in PAIRS)


def test_candidates_file_round_trips_and_names_a_bad_rank(tmp_path):
    path = tmp_path / "candidates.tsv"
    path.write_text("id\trank\tdoc_lang\tdocument\nde-en-1\t1\ten\tA text.\nde-en-1\tfirst\ten\tB.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"candidates\.tsv:3: rank 'first' is not a whole number"):
        read_candidates(path)
    path.write_text("id\trank\tdoc_lang\tdocument\nde-en-1\t1\ten\tA text.\n", encoding="utf-8")
    assert read_candidates(path) == [Candidate("de-en-1", 1, "en", "A text.")]


def test_the_split_is_stratified_by_label_and_seeded():
    rows = [Example(f"q{i}", f"d{i}", 1 if i % 4 == 0 else 0) for i in range(40)]
    train, validation = stratified_split(rows, 0.1, seed=42)
    assert len(validation) == 4 and sum(r.label for r in validation) == 1  # 10% of the 10 positives and of the 30 negatives
    assert sorted(train + validation, key=rows.index) == rows
    assert (train, validation) == stratified_split(rows, 0.1, seed=42)
    few = [Example("a", "x", 1), Example("b", "y", 1), Example("c", "z", 1), Example("d", "w", 0)]
    train, validation = stratified_split(few, 0.1, seed=1)
    assert [r.label for r in validation] == [1] and len(train) == 3  # a label with two or more rows is validated once


def test_the_csv_round_trips_quoted_texts_and_names_a_bad_row(tmp_path):
    rows = [Example('what is "bank", really?', "line one, with a comma", 1), Example("q", "d", 0)]
    write_examples(tmp_path / "hard.train.csv", rows)
    assert (tmp_path / "hard.train.csv").read_text(encoding="utf-8").splitlines()[0] == "text1,text2,label"
    assert read_examples(tmp_path / "hard.train.csv") == rows
    (tmp_path / "bad.csv").write_text("text1,text2,label\nq,d,1\nq,d,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv:3: row \['q', 'd', 'yes'\] is not text1, text2, label"):
        read_examples(tmp_path / "bad.csv")
