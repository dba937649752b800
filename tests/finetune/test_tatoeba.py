"""Tests of crossrank.finetune.tatoeba: LASER's Tatoeba files, pairs through English, and the per-pair draw."""

from __future__ import annotations

import pytest
from releases import write_tatoeba

from crossrank.core.errors import InputError
from crossrank.finetune.pairs import TextPair
from crossrank.finetune.tatoeba import phrase_language_pairs, read_tatoeba, sentence_id, tatoeba_code, tatoeba_files, tatoeba_pairs


def _write_tatoeba(directory, code: str, source: list[str], english: list[str]) -> None:
    (directory / f"tatoeba.{code}-eng.{code}").write_text("".join(f"{line}\n" for line in source), encoding="utf-8")
    (directory / f"tatoeba.{code}-eng.eng").write_text("".join(f"{line}\n" for line in english), encoding="utf-8")


def test_tatoeba_pairs_line_i_with_line_i(tmp_path):
    _write_tatoeba(tmp_path, "deu", ["Ich bin hier.", "Guten Morgen!"], ["I am here.", "Good morning!"])
    pairs = read_tatoeba(tmp_path, "deu", "de")
    assert pairs == [
        TextPair(sentence_id("I am here."), "de", "Ich bin hier.", "en", "I am here."),
        TextPair(sentence_id("Good morning!"), "de", "Guten Morgen!", "en", "Good morning!"),
    ]
    assert pairs[0].languages == "de-en"


def test_tatoeba_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(InputError, match=r"tatoeba\.fra-eng\.fra: file not found\..*LASER"):
        read_tatoeba(tmp_path, "fra", "fr")
    _write_tatoeba(tmp_path, "spa", ["Hola.", "Adiós."], ["Hello."])
    with pytest.raises(InputError, match=r"tatoeba\.spa-eng\.eng: has 1 lines, its parallel file 2"):
        read_tatoeba(tmp_path, "spa", "es")
    _write_tatoeba(tmp_path, "ita", ["Ciao.", ""], ["Hello.", "Goodbye."])
    with pytest.raises(InputError, match=r"tatoeba\.ita-eng\.ita:2: empty line where its parallel file has a sentence"):
        read_tatoeba(tmp_path, "ita", "it")


def test_the_pairs_a_dataset_evaluates_are_unordered_and_cross_language():
    assert phrase_language_pairs(["ar", "de", "en"], ["ar", "de", "en"]) == [("ar", "de"), ("ar", "en"), ("de", "en")]
    assert phrase_language_pairs(["en"], ["de", "simple", "ja"]) == [("de", "en"), ("en", "ja")]  # Simple English is English


def test_language_codes_map_to_tatoebas_file_codes(tmp_path):
    assert (tatoeba_code("zh"), tatoeba_code("no"), tatoeba_code("sw")) == ("cmn", "nob", "swh")
    assert tatoeba_code("sh", {"sh": "hbs"}) == "hbs"
    with pytest.raises(KeyError):
        tatoeba_code("xx")
    assert tatoeba_files(tmp_path, "en") == []
    assert [p.name for p in tatoeba_files(tmp_path, "ja")] == ["tatoeba.jpn-eng.jpn", "tatoeba.jpn-eng.eng"]


def test_pairs_without_english_are_joined_through_their_english_translations(tmp_path):
    _write_tatoeba(tmp_path, "ara", ["مرحبا.", "شكرا.", "نعم."], ["Hello.", "Thank you.", "Yes."])
    _write_tatoeba(tmp_path, "rus", ["Да.", "Привет."], ["Yes.", "Hello."])
    pairs = tatoeba_pairs(tmp_path, [("ar", "ru")], per_pair=0, seed=1)
    assert [(p.lang_a, p.text_a, p.lang_b, p.text_b) for p in pairs] == [("ar", "مرحبا.", "ru", "Привет."), ("ar", "نعم.", "ru", "Да.")]
    assert pairs[0].pair_id == sentence_id("Hello.")  # the English sentence both translate: held out together


def test_at_most_n_tatoeba_pairs_per_language_pair_seeded(tmp_path):
    write_tatoeba(tmp_path, ["de", "ja"], count=20)
    pairs = tatoeba_pairs(tmp_path, [("de", "en"), ("de", "ja"), ("en", "ja")], per_pair=5, seed=3)
    assert sorted({p.languages for p in pairs}) == ["de-en", "de-ja", "ja-en"]
    assert all(sum(p.languages == languages for p in pairs) == 5 for languages in ("de-en", "de-ja", "ja-en"))
    assert pairs == tatoeba_pairs(tmp_path, [("de", "en"), ("de", "ja"), ("en", "ja")], per_pair=5, seed=3)
    assert pairs != tatoeba_pairs(tmp_path, [("de", "en"), ("de", "ja"), ("en", "ja")], per_pair=5, seed=4)
