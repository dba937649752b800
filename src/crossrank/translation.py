"""Document translation into English, the pivot language of the ``translated`` condition.

Backends here need no model: ``copy`` passes English documents through unchanged (the paper
copies English and Simple English sources) and ``oracle`` takes a dataset's own parallel
English text (mMARCO's English passages, ``cldr``'s English rendering). Every translated
document records the backend that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crossrank.contract import Document
from crossrank.io import InputError

PIVOT_LANGUAGE = "en"
BACKENDS = ("oracle", "copy")


@dataclass(frozen=True)
class Translation:
    """A document's English text and where it came from."""

    document: Document
    source_lang: str
    backend: str


def translate_documents(documents: Sequence[Document], backend: str, oracle: Mapping[str, str] | None = None) -> list[Translation]:
    """English versions of ``documents``; English sources are copied whatever the backend."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown translation backend {backend!r}; choose one of {list(BACKENDS)}")
    if backend == "oracle" and oracle is None:
        raise ValueError("the oracle backend needs the dataset's parallel English texts")
    translations = []
    for doc in documents:
        if doc.lang == PIVOT_LANGUAGE:
            translations.append(Translation(doc, doc.lang, "copy"))
            continue
        if backend == "copy":
            raise InputError(
                "translation",
                f"document {doc.docid!r} is in {doc.lang!r}, and the copy backend only passes English through.",
                fix="choose a translating backend for this dataset.",
            )
        if doc.docid not in oracle:
            raise InputError("oracle translations", f"no parallel English text for document {doc.docid!r}.", fix="re-run the prepare step.")
        translations.append(Translation(Document(doc.docid, PIVOT_LANGUAGE, oracle[doc.docid]), doc.lang, backend))
    return translations
