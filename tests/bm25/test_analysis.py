"""Tests of crossrank.bm25.analysis.Analyzer: CJK n-grams, Snowball stemming, normalisation."""

from __future__ import annotations

import pytest

from crossrank.bm25.analysis import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_chinese_run_becomes_overlapping_bigrams(analyzer: Analyzer) -> None:
    assert analyzer.tokens("北京大学", "zh") == ["北京", "京大", "大学"]


def test_japanese_kanji_and_katakana_run_becomes_overlapping_bigrams(analyzer: Analyzer) -> None:
    # Kanji and Katakana written together form one run; ー (U+30FC) belongs to the run.
    assert analyzer.tokens("東京タワー", "ja") == ["東京", "京タ", "タワ", "ワー"]


def test_katakana_long_vowel_mark_stays_inside_the_run(analyzer: Analyzer) -> None:
    # U+30FC has Unicode script "Common", so a plain \p{Katakana} class would split the word there.
    assert analyzer.tokens("コーヒー", "ja") == ["コー", "ーヒ", "ヒー"]


def test_half_width_katakana_is_normalised_to_full_width(analyzer: Analyzer) -> None:
    assert analyzer.tokens("ｺｰﾋｰ", "ja") == analyzer.tokens("コーヒー", "ja")


def test_hiragana_and_kanji_form_one_run(analyzer: Analyzer) -> None:
    assert analyzer.tokens("日本の首都", "ja") == ["日本", "本の", "の首", "首都"]


def test_cjk_ngram_1_gives_single_characters() -> None:
    assert Analyzer(cjk_ngram=1).tokens("北京大学", "zh") == ["北", "京", "大", "学"]
    assert Analyzer(cjk_ngram=1).tokens("コーヒー", "ja") == ["コ", "ー", "ヒ", "ー"]


def test_cjk_ngram_3_gives_trigrams() -> None:
    assert Analyzer(cjk_ngram=3).tokens("北京大学", "zh") == ["北京大", "京大学"]


@pytest.mark.parametrize(("text", "n"), [("大", 2), ("中国", 3), ("東京", 2)])
def test_cjk_run_not_longer_than_n_is_kept_whole(text: str, n: int) -> None:
    assert Analyzer(cjk_ngram=n).tokens(text, "zh") == [text]


def test_cjk_runs_are_separated_by_latin_words(analyzer: Analyzer) -> None:
    assert analyzer.tokens("Running 東京 runs 大阪府", "en") == ["run", "東京", "run", "大阪", "阪府"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Die Häuser laufen", "de", ["die", "haus", "lauf"]),
        ("running runs", "en", ["run", "run"]),
        ("книги книгами", "ru", ["книг", "книг"]),
    ],
)
def test_latin_and_cyrillic_words_get_snowball_stemming_in_their_language(
    analyzer: Analyzer, text: str, lang: str, expected: list[str]
) -> None:
    assert analyzer.tokens(text, lang) == expected


def test_stemming_uses_the_texts_own_language(analyzer: Analyzer) -> None:
    # The German stemmer maps "Häuser" to "haus"; the English one leaves it alone.
    assert analyzer.tokens("Häuser", "de") == ["haus"]
    assert analyzer.tokens("Häuser", "en") == ["häuser"]


def test_simple_english_is_stemmed_as_english(analyzer: Analyzer) -> None:
    assert analyzer.tokens("running villages", "simple") == ["run", "villag"]


def test_region_suffix_of_language_code_is_ignored(analyzer: Analyzer) -> None:
    assert analyzer.tokens("running", "en-US") == ["run"]
    assert analyzer.tokens("Häuser", "de_AT") == ["haus"]


def test_stem_false_keeps_words() -> None:
    plain = Analyzer(stem=False)
    assert plain.tokens("Die Häuser laufen", "de") == ["die", "häuser", "laufen"]
    assert plain.tokens("running runs", "en") == ["running", "runs"]


def test_full_width_latin_letters_fold_to_ascii_lowercase(analyzer: Analyzer) -> None:
    assert analyzer.tokens("Ｈｅｌｌｏ ＷＯＲＬＤ", "xx") == ["hello", "world"]


def test_casefold_not_just_lower(analyzer: Analyzer) -> None:
    # casefold maps ß to ss (lower() would keep ß).
    assert Analyzer(stem=False).tokens("Straße STRASSE", "xx") == ["strasse", "strasse"]


def test_nfkc_folds_ligatures_and_superscripts() -> None:
    assert Analyzer(stem=False).tokens("ﬁle x²", "xx") == ["file", "x2"]


def test_arabic_attached_conjunction_is_stripped(analyzer: Analyzer) -> None:
    with_conjunction = analyzer.tokens("وألمانيا", "ar")
    without = analyzer.tokens("ألمانيا", "ar")
    assert len(with_conjunction) == 1
    assert with_conjunction == without
    # Without stemming the two words stay different terms.
    assert Analyzer(stem=False).tokens("وألمانيا", "ar") != Analyzer(stem=False).tokens("ألمانيا", "ar")


def test_unknown_language_is_tokenized_without_stemming(analyzer: Analyzer) -> None:
    assert analyzer.tokens("Running, runs; and RUNNING!", "xx") == ["running", "runs", "and", "running"]
    assert analyzer.tokens("Running, runs; and RUNNING!", "xx") == Analyzer(stem=False).tokens("Running, runs; and RUNNING!", "en")


def test_punctuation_and_whitespace_only_gives_no_terms(analyzer: Analyzer) -> None:
    assert analyzer.tokens(" ,.;!? 。、「」", "zh") == []


@pytest.mark.parametrize("n", [-1, -3])
def test_negative_cjk_ngram_raises(n: int) -> None:
    with pytest.raises(ValueError, match="cjk_ngram"):
        Analyzer(cjk_ngram=n)


def test_plain_analyzer_keeps_cjk_runs_whole_and_words_unstemmed() -> None:
    # The sensitivity variant: no stemming, no CJK n-grams, as a plain \w+ tokenizer (with case folding).
    plain = Analyzer(stem=False, cjk_ngram=0)
    assert plain.tokens("北京大学は東京にない", "ja") == ["北京大学は東京にない"]
    assert plain.tokens("Running Dogs ran 北京", "en") == ["running", "dogs", "ran", "北京"]
    with pytest.raises(ValueError, match="cjk_ngram must be >= 0"):
        Analyzer(cjk_ngram=-1)
