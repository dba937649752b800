"""Document translation into English, the pivot language of the ``translated`` condition.

Three backends: ``nllb`` machine-translates every non-English document with an NLLB-200 model
(:mod:`crossrank.translate.nllb`), ``oracle`` takes a dataset's own parallel English text (mMARCO's English
passages, ``cldr``'s English rendering) and ``copy`` only passes English through. Whatever the
backend, English and Simple English documents are copied unchanged (as the paper does), and
every document records the backend that produced it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crossrank.core.contract import Document
from crossrank.core.errors import InputError
from crossrank.translate.codes import ENGLISH_SOURCES
from crossrank.translate.documents import EnglishText

PIVOT_LANGUAGE = "en"
BACKENDS = ("oracle", "copy", "nllb")
# The backend that machine-translates, and the setting of a dataset without a translated condition.
MACHINE_TRANSLATION = "nllb"
NO_TRANSLATION = "none"
RECORD_COLUMNS = ("docid", "source_lang", "backend", "pieces", "model")
SUMMARY_COLUMNS = ("source_lang", "backend", "documents", "pieces")


@dataclass(frozen=True)
class Translation:
    """A document's English text, where it came from, and how many pieces were machine-translated."""

    document: Document
    source_lang: str
    backend: str
    pieces: int = 0
    model: str = "-"


def translate_documents(
    documents: Sequence[Document], backend: str, english: Mapping[str, EnglishText] | None = None, model: str = "-"
) -> list[Translation]:
    """English versions of ``documents``; English sources are copied whatever the backend.

    ``english`` holds the other documents' English texts by docid: the parallel text for
    ``oracle``, the merged shards for ``nllb`` (``model`` names the checkpoint).
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown translation backend {backend!r}; choose one of {list(BACKENDS)}")
    if backend != "copy" and english is None:
        raise ValueError(f"the {backend} backend needs the English texts of the documents")
    translations = []
    for doc in documents:
        if doc.lang in ENGLISH_SOURCES:
            translations.append(Translation(Document(doc.docid, PIVOT_LANGUAGE, doc.text), doc.lang, "copy"))
            continue
        if backend == "copy":
            raise InputError(
                "translation",
                f"document {doc.docid!r} is in {doc.lang!r}, and the copy backend only passes English through.",
                fix="choose a translating backend for this dataset.",
            )
        if doc.docid not in english:
            source, fix = (
                ("oracle translations", "re-run the prepare step.")
                if backend == "oracle"
                else ("translation shards", "re-run the translate_shard jobs.")
            )
            raise InputError(source, f"no English text for document {doc.docid!r}.", fix=fix)
        found = english[doc.docid]
        translated = Document(doc.docid, PIVOT_LANGUAGE, found.text)
        translations.append(Translation(translated, doc.lang, backend, found.pieces, model if backend == "nllb" else "-"))
    return translations


def summary(translations: Sequence[Translation]) -> list[tuple[str, str, int, int]]:
    """Per source language and backend: documents and machine-translated pieces."""
    documents: Counter[tuple[str, str]] = Counter()
    pieces: Counter[tuple[str, str]] = Counter()
    for t in translations:
        documents[t.source_lang, t.backend] += 1
        pieces[t.source_lang, t.backend] += t.pieces
    return [(lang, backend, count, pieces[lang, backend]) for (lang, backend), count in sorted(documents.items())]
