"""Tests of crossrank.translate.segment: sentences, and pieces that fit the model's input limit."""

from __future__ import annotations

from pathlib import Path

import factories
import pytest
import yaml

from crossrank.config import validate_params
from crossrank.core.errors import ConfigError
from crossrank.translate.documents import segment_documents
from crossrank.translate.nllb import NllbSettings, NllbTranslator
from crossrank.translate.segment import document_pieces, pieces, split_sentences

ROOT = Path(__file__).parents[2]

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


def _count(translator: NllbTranslator, code: str):
    return lambda texts: [len(ids) for ids in translator.tokenize(texts, code)]


def test_document_segmentation_gives_one_piece_per_document_truncated_at_the_last_token_that_fits(tiny_nllb: Path):
    limit = 48
    translator = NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=limit, segmentation="document"))
    short = factories.documents({"de1": ("de", "Deutschland ist ein Land in Europa. Die Währung ist der Euro.")})
    empty = factories.documents({"blank": ("fr", " \n ")})
    segmented = segment_documents([*short, *LONG_DOCUMENTS, *empty], translator)
    assert {docid: len(keys) for docid, keys in segmented.keys.items()} == {"de1": 1, "de2": 1, "zh": 1, "blank": 0}
    piece = {docid: segmented.sources[keys[0]][1] for docid, keys in segmented.keys.items() if keys}
    assert piece["de1"] == short[0].text  # fits: kept whole, not split into its two sentences
    for doc in LONG_DOCUMENTS:
        code = translator.source_code(doc.lang)
        count = _count(translator, code)
        cut = piece[doc.docid]
        assert doc.text.startswith(cut) and len(cut) < len(doc.text)
        assert count([cut])[0] <= limit
        # One token more, cut in the text as the tokenizer's offsets place it, would not fit.
        encoded = translator.tokenizer(doc.text, return_offsets_mapping=True, return_special_tokens_mask=True)
        ends = sorted(
            {end for (_, end), special in zip(encoded["offset_mapping"], encoded["special_tokens_mask"], strict=True) if not special}
        )
        longer = next(end for end in ends if end > len(cut))
        assert count([doc.text[:longer]])[0] > limit


def test_document_pieces_strip_and_skip_empty_texts():
    assert document_pieces(" \t\n ", lambda text: text) == []
    assert document_pieces("  Ein Satz. Noch einer.\n", lambda text: text[:9]) == ["Ein Satz."]


def test_sentence_segmentation_is_the_default_and_unchanged(tiny_nllb: Path):
    default = NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=48))
    sentence = NllbTranslator(NllbSettings(model=str(tiny_nllb), max_input_tokens=48, segmentation="sentence"))
    assert default.settings.segmentation == "sentence"
    segmented = segment_documents(LONG_DOCUMENTS, sentence)
    assert segmented == segment_documents(LONG_DOCUMENTS, default)
    for doc in LONG_DOCUMENTS:
        expected = pieces(doc.text, _count(sentence, sentence.source_code(doc.lang)), 48)
        assert [segmented.sources[key][1] for key in segmented.keys[doc.docid]] == expected
    assert len(segmented.keys["de2"]) == 40


def test_an_unknown_segmentation_is_refused(tiny_nllb: Path):
    with pytest.raises(ConfigError, match=r"'translation\.nllb\.segmentation': 'paragraph'"):
        NllbSettings(model=str(tiny_nllb), segmentation="paragraph")


def test_the_schema_accepts_sentence_and_document_and_rejects_other_segmentations():
    schema = ROOT / "workflow/schemas/params.schema.yaml"
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    del params["translation"]["nllb"]["segmentation"]
    assert validate_params(params, schema)["translation"]["nllb"]["segmentation"] == "sentence"  # the schema's default
    params["translation"]["nllb"]["segmentation"] = "document"
    validate_params(params, schema)
    params["translation"]["nllb"]["segmentation"] = "paragraph"
    with pytest.raises(ConfigError, match=r"'translation\.nllb\.segmentation': 'paragraph' is not one of \['sentence', 'document'\]"):
        validate_params(params, schema)
