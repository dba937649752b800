"""Tests of crossrank.finetune.steps' pairs rules: each level's training and validation files for one dataset."""

from __future__ import annotations

import pytest
from releases import write_am2ico, write_senwich, write_tatoeba, write_xlwic

from crossrank.finetune.pairs import read_training_pairs
from crossrank.finetune.steps import finetune_pairs_phrase, finetune_pairs_qd, finetune_pairs_word

SETTINGS = {"seed": 42, "validation_fraction": 0.25, "max_train_pairs": 0, "max_validation_pairs": 0}


def _outputs(tmp_path, level):
    return str(tmp_path / f"{level}.train.tsv"), str(tmp_path / f"{level}.validation.tsv")


def test_query_document_validation_holds_out_whole_queries_and_caps_apply(tmp_path):
    source = tmp_path / "query_documents.tsv"
    source.write_text(
        "id\tquery_lang\tquery\tdoc_lang\tdocument\n"
        + "".join(f"q{i}\ten\tquery {i}\tde\tDokument {i}.{j}\n" for i in range(20) for j in range(2)),
        encoding="utf-8",
    )
    finetune_pairs_qd(str(source), SETTINGS, *_outputs(tmp_path, "qd"))
    train, validation = (read_training_pairs(p) for p in _outputs(tmp_path, "qd"))
    assert len(train) + len(validation) == 40 and len(validation) == 10
    assert not {p.pair_id for p in train} & {p.pair_id for p in validation}
    finetune_pairs_qd(str(source), {**SETTINGS, "max_train_pairs": 7, "max_validation_pairs": 3}, *_outputs(tmp_path, "qd"))
    assert [len(read_training_pairs(p)) for p in _outputs(tmp_path, "qd")] == [7, 3]


def test_phrase_pairs_come_from_the_datasets_own_phrases_or_from_tatoeba(tmp_path):
    own = tmp_path / "phrase_pairs.tsv"
    own.write_text(
        "id\tlang_a\ttext_a\tlang_b\ttext_b\n" + "".join(f"e{i}\tde\tWort {i}\tja\t語 {i}\n" for i in range(8)), encoding="utf-8"
    )
    finetune_pairs_phrase(SETTINGS, *_outputs(tmp_path, "own"), phrase_pairs=str(own))
    assert {p.text_a for p in read_training_pairs(_outputs(tmp_path, "own")[0])} <= {f"Wort {i}" for i in range(8)}

    write_tatoeba(tmp_path / "tatoeba", ["de", "ja"], count=12)
    settings = {**SETTINGS, "phrase": {"tatoeba": str(tmp_path / "tatoeba"), "pairs_per_language_pair": 10}}
    finetune_pairs_phrase(settings, *_outputs(tmp_path, "phrase"), language_pairs=[["de", "en"], ["de", "ja"]])
    pairs = [p for path in _outputs(tmp_path, "phrase") for p in read_training_pairs(path)]
    assert sorted({p.languages for p in pairs}) == ["de-en", "de-ja"] and len(pairs) == 20


def test_a_tatoeba_sentence_held_out_for_one_language_pair_never_trains_under_another(tmp_path):
    write_tatoeba(tmp_path / "tatoeba", ["de", "fr", "ja"], count=40)
    settings = {**SETTINGS, "phrase": {"tatoeba": str(tmp_path / "tatoeba"), "pairs_per_language_pair": 0}}
    pairs = [["de", "en"], ["de", "fr"], ["en", "fr"], ["de", "ja"], ["fr", "ja"]]
    finetune_pairs_phrase(settings, *_outputs(tmp_path, "phrase"), language_pairs=pairs)
    train, validation = (read_training_pairs(p) for p in _outputs(tmp_path, "phrase"))
    assert len({p.languages for p in validation}) == 5 and len(validation) == 5 * 10  # a quarter of the 40 sentences
    seen = {text for p in train for text in (p.text_a, p.text_b)}
    assert not seen & {text for p in validation for text in (p.text_a, p.text_b)}


def test_word_pairs_keep_the_datasets_languages_and_validate_on_the_dev_splits(tmp_path):
    write_xlwic(tmp_path / "xlwic", ["en", "de", "ja", "ko"], count=6)
    write_am2ico(tmp_path / "am2ico", ["de", "ja", "ko"], count=4)
    write_senwich(tmp_path / "senwich", ["ko", "pl"], count=4)
    sources = {"xlwic": str(tmp_path / "xlwic"), "am2ico": str(tmp_path / "am2ico"), "senwich": str(tmp_path / "senwich")}
    settings = {**SETTINGS, "word": {**sources, "training_splits": ["train"]}}
    finetune_pairs_word(settings, ["de", "en", "ja"], *_outputs(tmp_path, "word"))
    train, validation = (read_training_pairs(p) for p in _outputs(tmp_path, "word"))
    assert {p.pair_id.rsplit(".", 2)[0] for p in train} == {
        "xlwic.en",
        "xlwic.de",
        "am2ico.de",
        "am2ico.ja",
    }  # XL-WiC ja: WordNet, no train split
    assert {p.pair_id.split(".")[2] for p in train} == {"train"} and {p.pair_id.split(".")[2] for p in validation} == {"dev"}
    assert {p.pair_id.rsplit(".", 2)[0] for p in validation} == {"xlwic.en", "xlwic.de", "xlwic.ja", "am2ico.de", "am2ico.ja"}
    assert {p.label for p in train} == {0, 1}

    finetune_pairs_word({**settings, "word": {**sources, "training_splits": ["train", "test"]}}, ["ko"], *_outputs(tmp_path, "ko"))
    assert {p.pair_id.rsplit(".", 1)[0] for p in read_training_pairs(_outputs(tmp_path, "ko")[0])} == {
        "xlwic.ko.test",
        "am2ico.ko.train",
        "am2ico.ko.test",
        "senwich.ko.train",
        "senwich.ko.test",
    }
    with pytest.raises(ValueError, match="word: no training pairs"):
        finetune_pairs_word(settings, ["es"], *_outputs(tmp_path, "none"))  # no release has Spanish
    assert not (tmp_path / "none.train.tsv").exists()
