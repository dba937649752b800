"""Tests of crossrank.translate.segment: sentences, and pieces that fit the model's input limit."""

from __future__ import annotations

from pathlib import Path

import factories

from crossrank.translate.nllb import NllbSettings, NllbTranslator
from crossrank.translate.segment import pieces, split_sentences

LONG_DOCUMENTS = factories.documents(
    {
        "de2": ("de", " ".join(f"Deutschland ist Land Nummer {i} in Europa." for i in range(40))),  # forty sentences
        "zh": ("zh", "货币是人民币" * 40 + "。"),  # one sentence beyond the limit
    }
)


def test_sentences_split_after_latin_cjk_arabic_and_devanagari_ends():
    text = "Erster Satz. Zweiter Satz! 第一句。第二句！هل هذا؟ नमस्ते। Last"
    assert split_sentences(text) == ["Erster Satz.", "Zweiter Satz!", "第一句。", "第二句！", "هل هذا؟", "नमस्ते।", "Last"]


def test_a_long_document_is_split_into_pieces_within_the_limit_and_loses_nothing(tiny_nllb: Path):
    translator = NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=64))
    for doc, limit in [(LONG_DOCUMENTS[0], 48), (LONG_DOCUMENTS[1], 16)]:
        code = translator.source_code(doc.lang)
        count = lambda texts, code=code: [len(ids) for ids in translator.tokenize(texts, code)]  # noqa: E731
        found = pieces(doc.text, count, limit)
        assert len(found) > 1
        assert max(count(found)) <= limit
        assert "".join(found).replace(" ", "") == doc.text.replace(" ", "")


def test_an_empty_document_has_no_pieces():
    assert pieces("  ", lambda texts: [2] * len(texts), 16) == []
