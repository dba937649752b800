"""Tests of crossrank.translation.translate_documents."""

from __future__ import annotations

import pytest

from crossrank.contract import Document
from crossrank.io import InputError
from crossrank.translation import BACKENDS, PIVOT_LANGUAGE, Translation, translate_documents

DOCUMENTS = [
    Document("d.de", "de", "Deutschland: Deutsch; Euro"),
    Document("d.en", "en", "France: French; euro"),
    Document("d.zh", "zh", "中国：中文"),
]
ORACLE = {
    "d.de": "Germany: German; euro",
    "d.en": "SHOULD NOT BE USED",
    "d.zh": "China: Chinese",
}


def test_pivot_and_backends() -> None:
    assert PIVOT_LANGUAGE == "en"
    assert set(BACKENDS) == {"oracle", "copy"}


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


def test_copy_backend_passes_english_through() -> None:
    english = [DOCUMENTS[1], Document("d2.en", "en", "Spain")]
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


@pytest.mark.parametrize("backend", ["nllb", "", "Oracle"])
def test_unknown_backend_raises_value_error(backend: str) -> None:
    with pytest.raises(ValueError, match="unknown translation backend"):
        translate_documents(DOCUMENTS, backend, ORACLE)


def test_empty_input_gives_empty_output() -> None:
    assert translate_documents([], "copy") == []
