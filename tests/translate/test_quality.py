"""Tests of crossrank.translate.quality: chrF and BLEU per source language, and an ``all`` row."""

from __future__ import annotations

from crossrank.translate.quality import translation_quality


def test_identical_translations_score_100_and_an_all_row_is_added():
    rows = [
        ("de", "Germany is a country in Europe.", "Germany is a country in Europe."),
        ("fr", "France is a country.", "France is a country."),
    ]
    assert translation_quality(rows) == [("de", 1, 100.0, 100.0), ("fr", 1, 100.0, 100.0), ("all", 2, 100.0, 100.0)]
    worse = translation_quality([("de", "Germany country.", "Germany is a country in Europe.")])
    assert len(worse) == 1 and 0 < worse[0][2] < 100
