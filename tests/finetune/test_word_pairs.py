"""Tests of crossrank.finetune.word_pairs: XL-WiC, AM2iCo and SenWiCh read in their released layouts and formats."""

from __future__ import annotations

import json

import pytest
from releases import write_am2ico, write_senwich, write_xlwic

from crossrank.core.errors import InputError
from crossrank.finetune.pairs import TextPair
from crossrank.finetune.word_pairs import languages_of, missing_files, read_word_file, word_files


def test_xlwic_splits_follow_each_language_family_of_the_release(tmp_path):
    def names(lang):
        return {
            f.split: [p.relative_to(tmp_path).as_posix() for p in f.paths]
            for f in word_files("xlwic", tmp_path, lang, ["train", "dev", "test"])
        }

    assert names("en") == {"train": ["wic_english/train_en.txt"], "dev": ["wic_english/valid_en.txt"]}
    assert names("de")["train"] == ["xlwic_wikt/german_de/de_train.txt"]
    assert names("ja") == {
        "dev": ["xlwic_wn/japanese_ja/ja_valid.txt"],
        "test": ["xlwic_wn/japanese_ja/ja_test_data.txt", "xlwic_wn/japanese_ja/ja_test_gold.txt"],
    }  # WordNet languages release no train split
    assert "zh" in languages_of("xlwic") and "ar" not in languages_of("xlwic")


def test_xlwic_lines_and_the_test_splits_separate_gold_labels(tmp_path):
    (tmp_path / "xlwic_wikt/french_fr").mkdir(parents=True)
    (tmp_path / "xlwic_wikt/french_fr/fr_train.txt").write_text(
        "banque\tN\t3\t9\t2\t8\tLa banque ferme.\tLe banc de la banque.\t0\nbanque\tN\t0\t6\t0\t6\tbanque A\tbanque B\t1\n",
        encoding="utf-8",
    )
    (tmp_path / "xlwic_wikt/french_fr/fr_test_data.txt").write_text("vol\tN\t0\t3\t0\t3\tvol 1\tvol 2\n", encoding="utf-8")
    (tmp_path / "xlwic_wikt/french_fr/fr_test_gold.txt").write_text("1\n", encoding="utf-8")
    train, test = (read_word_file(f) for f in word_files("xlwic", tmp_path, "fr", ["train", "test"]))
    assert train == [
        TextPair("xlwic.fr.train.1", "fr", "La banque ferme.", "fr", "Le banc de la banque.", 0),
        TextPair("xlwic.fr.train.2", "fr", "banque A", "fr", "banque B", 1),
    ]
    assert test == [TextPair("xlwic.fr.test.1", "fr", "vol 1", "fr", "vol 2", 1)]


def test_am2ico_pairs_are_cross_lingual_with_the_word_marks_removed(tmp_path):
    write_am2ico(tmp_path, ["zh"], count=4)
    pairs = read_word_file(word_files("am2ico", tmp_path, "zh", ["train"])[0])
    assert len(pairs) == 4 and {(p.lang_a, p.lang_b) for p in pairs} == {("zh", "en")}
    assert [p.label for p in pairs] == [1, 0, 1, 0]
    assert not any("<word>" in p.text_a + p.text_b or "</word>" in p.text_a + p.text_b for p in pairs)
    assert pairs[0].text_b.startswith("The ")
    path = word_files("am2ico", tmp_path, "zh", ["train"])[0].paths[0]
    path.write_text("\ufeffContext1\tContext2\tLabel\n" + path.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    assert read_word_file(word_files("am2ico", tmp_path, "zh", ["train"])[0]) == pairs  # a byte-order mark and capitals


def test_senwich_reads_its_json_wic_files(tmp_path):
    write_senwich(tmp_path, ["pl"], count=6)
    file = word_files("senwich", tmp_path, "pl", ["dev"])[0]
    assert file.paths[0].name == "Polish_dev.data"
    pairs = read_word_file(file)
    assert len(pairs) == 6 and pairs[1].label == 0 and pairs[0].lang_a == pairs[0].lang_b == "pl"


def test_every_malformed_or_missing_file_names_the_file_and_the_line(tmp_path):
    write_xlwic(tmp_path / "xlwic", ["de"], count=3)
    train = tmp_path / "xlwic/xlwic_wikt/german_de/de_train.txt"
    train.write_text(train.read_text(encoding="utf-8") + "Bank\tN\t0\t4\tnur acht Felder\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"de_train\.txt:4: has 5 tab-separated fields, expected 9 .*xlwic_datasets\.zip"):
        read_word_file(word_files("xlwic", tmp_path / "xlwic", "de", ["train"])[0])
    gold = tmp_path / "xlwic/xlwic_wikt/german_de/de_test_gold.txt"
    gold.write_text("1\n0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"de_test_gold\.txt: has 2 labels for the 3 lines"):
        read_word_file(word_files("xlwic", tmp_path / "xlwic", "de", ["test"])[0])

    write_am2ico(tmp_path / "am2ico", ["ja"], count=3)
    dev = tmp_path / "am2ico/ja/dev.tsv"
    dev.write_text(dev.read_text(encoding="utf-8").replace("\tF\n", "\tfalse\n"), encoding="utf-8")
    with pytest.raises(InputError, match=r"ja/dev\.tsv:3: label 'false' is neither 'T' nor 'F'"):
        read_word_file(word_files("am2ico", tmp_path / "am2ico", "ja", ["dev"])[0])

    senwich = tmp_path / "senwich"
    senwich.mkdir()
    (senwich / "Korean_train.data").write_text('[\n  {"sentence1": "a",\n  "sentence2" "b"}\n]', encoding="utf-8")
    with pytest.raises(InputError, match=r"Korean_train\.data:3: is not valid JSON"):
        read_word_file(word_files("senwich", senwich, "ko", ["train"])[0])
    (senwich / "Korean_dev.data").write_text(json.dumps([{"sentence1": "a", "sentence2": "b"}]), encoding="utf-8")
    with pytest.raises(InputError, match=r"Korean_dev\.data: pair 1 lacks sentence1, sentence2 or label"):
        read_word_file(word_files("senwich", senwich, "ko", ["dev"])[0])

    absent = word_files("am2ico", tmp_path / "nowhere", "de", ["train"])
    assert missing_files(absent) == [
        f"{tmp_path / 'nowhere/de/train.tsv'} (fix: clone github.com/cambridgeltl/AM2iCo and point the setting at its data/ directory)"
    ]
    with pytest.raises(InputError, match=r"nowhere/de/train\.tsv: file not found\. Fix: clone github\.com/cambridgeltl/AM2iCo"):
        read_word_file(absent[0])
