"""Tests of crossrank.translate.backends: the oracle, copy and nllb backends of translate_documents."""

from __future__ import annotations

import factories
import pytest

from crossrank.core.contract import Document
from crossrank.core.errors import InputError
from crossrank.translate.backends import BACKENDS, PIVOT_LANGUAGE, Translation, summary, translate_documents
from crossrank.translate.documents import EnglishText

DOCUMENTS = factories.documents(
    {
        "d.de": ("de", "Deutschland: Deutsch; Euro"),
        "d.en": ("en", "France: French; euro"),
        "d.zh": ("zh", "中国：中文"),
    }
)
ORACLE = {
    docid: EnglishText(docid, text, 0)
    for docid, text in {"d.de": "Germany: German; euro", "d.en": "SHOULD NOT BE USED", "d.zh": "China: Chinese"}.items()
}


def test_pivot_and_backends() -> None:
    assert PIVOT_LANGUAGE == "en"
    assert set(BACKENDS) == {"oracle", "copy", "nllb"}


def test_oracle_replaces_non_english_documents() -> None:
    result = translate_documents(DOCUMENTS, "oracle", ORACLE)
    assert [t.document.docid for t in result] == ["d.de", "d.en", "d.zh"]
    assert result[0] == Translation(Document("d.de", "en", "Germany: German; euro"), "de", "oracle")
    assert result[2] == Translation(Document("d.zh", "en", "China: Chinese"), "zh", "oracle")
    assert all(t.document.lang == "en" for t in result)


def test_english_documents_are_copied_not_taken_from_the_oracle() -> None:
    result = translate_documents(DOCUMENTS, "oracle", ORACLE)
    assert result[1] == Translation(DOCUMENTS[1], "en", "copy")
    assert result[1].document.text == "France: French; euro"


def test_simple_english_is_copied_as_english() -> None:
    result = translate_documents(factories.documents({"s1": ("simple", "A simple text.")}), "nllb", {})
    assert result == [Translation(Document("s1", "en", "A simple text."), "simple", "copy")]


def test_nllb_records_pieces_and_model_per_document() -> None:
    english = {"d.de": EnglishText("d.de", "Germany", 2), "d.zh": EnglishText("d.zh", "China", 1)}
    result = translate_documents(DOCUMENTS, "nllb", english, model="facebook/nllb-200-distilled-1.3B@abc")
    assert result[0] == Translation(Document("d.de", "en", "Germany"), "de", "nllb", 2, "facebook/nllb-200-distilled-1.3B@abc")
    assert result[1].backend == "copy" and result[1].model == "-"
    assert summary(result) == [("de", "nllb", 1, 2), ("en", "copy", 1, 0), ("zh", "nllb", 1, 1)]


def test_nllb_without_a_shard_translation_names_the_document_and_the_fix() -> None:
    with pytest.raises(InputError, match=r"d\.zh") as info:
        translate_documents(DOCUMENTS, "nllb", {"d.de": EnglishText("d.de", "Germany", 1)})
    assert "translate_shard" in str(info.value)


def test_copy_backend_passes_english_through() -> None:
    english = [DOCUMENTS[1], *factories.documents({"d2.en": ("en", "Spain")})]
    result = translate_documents(english, "copy")
    assert [t.document for t in result] == english
    assert {t.backend for t in result} == {"copy"}
    assert {t.source_lang for t in result} == {"en"}


def test_copy_backend_rejects_a_non_english_document() -> None:
    with pytest.raises(InputError) as info:
        translate_documents(DOCUMENTS, "copy")
    assert "'d.de'" in str(info.value)
    assert "'de'" in str(info.value)
    assert "Fix:" in str(info.value)


def test_missing_oracle_entry_raises() -> None:
    oracle = {k: v for k, v in ORACLE.items() if k != "d.zh"}
    with pytest.raises(InputError) as info:
        translate_documents(DOCUMENTS, "oracle", oracle)
    assert "'d.zh'" in str(info.value)


def test_missing_oracle_entry_for_english_document_is_fine() -> None:
    oracle = {k: v for k, v in ORACLE.items() if k != "d.en"}
    assert len(translate_documents(DOCUMENTS, "oracle", oracle)) == 3


def test_oracle_backend_without_oracle_raises() -> None:
    with pytest.raises(ValueError, match="oracle"):
        translate_documents(DOCUMENTS, "oracle", None)


@pytest.mark.parametrize("backend", ["deepl", "", "Oracle"])
def test_unknown_backend_raises_value_error(backend: str) -> None:
    with pytest.raises(ValueError, match="unknown translation backend"):
        translate_documents(DOCUMENTS, backend, ORACLE)


def test_empty_input_gives_empty_output() -> None:
    assert translate_documents([], "copy") == []
