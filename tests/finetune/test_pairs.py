"""Tests of crossrank.finetune.pairs: the readers on files in their released formats, sampling and held-out validation."""

from __future__ import annotations

import pytest

from crossrank.core.errors import InputError
from crossrank.finetune.pairs import (
    TextPair,
    hold_out,
    read_phrase_pairs,
    read_query_documents,
    read_training_pairs,
    sample_per_language_pair,
    write_training_pairs,
)


def test_phrase_and_query_document_files_are_read_with_their_headers(tmp_path):
    phrases = tmp_path / "phrase_pairs.tsv"
    phrases.write_text("id\tlang_a\ttext_a\tlang_b\ttext_b\nterritory.005\tar\tأمريكا الجنوبية\tde\tSüdamerika\n", encoding="utf-8")
    assert read_phrase_pairs(phrases) == [TextPair("territory.005", "ar", "أمريكا الجنوبية", "de", "Südamerika")]
    qd = tmp_path / "query_documents.tsv"
    qd.write_text(
        "id\tquery_lang\tquery\tdoc_lang\tdocument\nq1\ten\tEuro\tde\tDer Euro ist eine Währung.\nq2\ten\tbroken\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"query_documents\.tsv:3: expected 5 tab-separated fields"):
        read_query_documents(qd)


PAIRS = [TextPair(f"e{i}", lang, f"text {i}", "de", f"Text {i}") for i in range(30) for lang in ("en", "fr")]


def test_validation_holds_out_whole_ids_never_seen_in_training():
    train, validation = hold_out(PAIRS, 0.2, seed=3)
    assert len({p.pair_id for p in validation}) == 6
    assert not {p.pair_id for p in train} & {p.pair_id for p in validation}  # one entity's pairs on one side only
    assert sorted(train + validation, key=PAIRS.index) == PAIRS
    assert hold_out(PAIRS, 0.2, seed=3) == (train, validation)
    with pytest.raises(ValueError, match="between 0 and 1"):
        hold_out(PAIRS, 1.0, seed=3)


def test_at_most_n_pairs_per_language_pair_seeded():
    drawn = sample_per_language_pair(PAIRS, 10, seed=1)
    assert {p.languages for p in drawn} == {"en-de", "fr-de"} and len(drawn) == 20
    assert drawn == sample_per_language_pair(PAIRS, 10, seed=1) != sample_per_language_pair(PAIRS, 10, seed=2)
    assert sample_per_language_pair(PAIRS, 0, seed=1) == PAIRS


def test_training_files_round_trip_with_their_labels_and_reject_a_bad_label(tmp_path):
    pairs = [TextPair("w.1", "de", "Bank am Fluss", "de", "Bank im Park", 0), TextPair("w.2", "ja", "銀行", "en", "bank")]
    write_training_pairs(tmp_path / "word.train.tsv", pairs)
    assert read_training_pairs(tmp_path / "word.train.tsv") == pairs
    (tmp_path / "bad.tsv").write_text("id\tlang_a\ttext_a\tlang_b\ttext_b\tlabel\nw.1\tde\ta\tde\tb\tT\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv:2: label 'T' is neither 1 nor 0"):
        read_training_pairs(tmp_path / "bad.tsv")
