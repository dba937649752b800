"""Readers for the released mMARCO files (Bonifacio et al., v2 layout).

Per language: ``collections/{language}_collection.tsv`` (``pid<TAB>passage``) and
``queries/{split}/{language}_queries.{split}.tsv`` (``qid<TAB>text``); qrels are shared by all
languages (TREC ``qid 0 pid rel``). Passage and query ids are the same in every language, so a
cross-language pair is a join on id. Collections hold 8.8M passages per language: they are
only ever streamed, keeping just the ids asked for.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator

from crossrank.io import InputError, read_lines

# ISO 639-1 code -> the language name mMARCO uses in its file names.
LANGUAGE_NAMES = {
    "ar": "arabic",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hi": "hindi",
    "id": "indonesian",
    "it": "italian",
    "ja": "japanese",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
    "vi": "vietnamese",
    "zh": "chinese",
}


def language_name(code: str) -> str:
    """mMARCO's file-name language for an ISO 639-1 code (note: ir_datasets spells Dutch ``dt``)."""
    try:
        return LANGUAGE_NAMES[code]
    except KeyError:
        raise ValueError(f"mMARCO has no language {code!r}; it has {sorted(LANGUAGE_NAMES)}") from None


def iter_id_text(path: str | os.PathLike[str]) -> Iterator[tuple[str, str]]:
    """Stream ``(id, text)`` rows of a two-column mMARCO TSV (collection or queries)."""
    for number, line in read_lines(path):
        line = line.rstrip("\n").rstrip("\r")
        if not line:
            continue
        key, tab, text = line.partition("\t")
        if not tab or not key:
            raise InputError(path, "expected 'id<TAB>text'.", line=number, fix="re-download the file; mMARCO TSVs have two columns.")
        yield key, " ".join(text.split())


def read_subset(path: str | os.PathLike[str], wanted: Collection[str]) -> dict[str, str]:
    """``{id: text}`` for the ``wanted`` ids only, streaming the file (memory grows with ``wanted``)."""
    wanted = set(wanted)
    found: dict[str, str] = {}
    for key, text in iter_id_text(path):
        if key in wanted:
            found[key] = text
            if len(found) == len(wanted):
                break
    return found
