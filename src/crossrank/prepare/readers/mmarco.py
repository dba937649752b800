"""Readers for the released mMARCO files (Bonifacio et al., v2 layout).

Per language: ``collections/{language}_collection.tsv`` (``pid<TAB>passage``) and
``queries/{split}/{language}_queries.{split}.tsv`` (``qid<TAB>text``); qrels are shared by all
languages (TREC ``qid 0 pid rel``, MS MARCO's own files), and so are the training triples
(``triples.train.ids.small.tsv``: ``qid<TAB>positive pid<TAB>negative pid``, the negatives
BM25's top results judged non-relevant: 39.8M lines). Passage and query ids are the same in
every language, so a cross-language pair is a join on id. Collections hold 8.8M passages per
language: they are only ever streamed, keeping just the ids asked for. ir_datasets names the
languages ``mmarco/v2/{code}`` with Dutch as ``dt``; English is MS MARCO itself.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping

from crossrank.core import contract
from crossrank.core.io import scan_keyed_tsv

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


def read_subset(path: str | os.PathLike[str], wanted: Collection[str]) -> dict[str, str]:
    """``{id: text}`` for the ``wanted`` ids of a collection or queries file, streamed.

    Only wanted lines are decoded, so memory grows with ``wanted``, not with the file (8.8M
    passages per language).
    """
    return {key: " ".join(text.split()) for _, (key, text) in scan_keyed_tsv(path, ("id", "text"), wanted)}


def read_judgments(path: str | os.PathLike[str]) -> dict[str, dict[str, tuple[int, int]]]:
    """Shared TREC qrels (``qid 0 pid rel``) as ``{qid: {pid: (label, line)}}``; lines name the source of later errors."""
    return contract.read_judgments(path)


def read_triple_negatives(
    path: str | os.PathLike[str], relevant: Mapping[str, Collection[str]], per_query: int, excluded: Collection[str] = ()
) -> dict[str, list[str]]:
    """The first ``per_query`` distinct negative passages of each query of ``relevant`` in a triples file, in file order.

    A negative judged relevant for its query (``relevant[qid]``) or in ``excluded`` (the
    evaluation pool) is skipped; only the queries asked for are decoded.
    """
    found: dict[str, list[str]] = {qid: [] for qid in relevant}
    for _, (qid, _positive, negative) in scan_keyed_tsv(path, ("qid", "positive", "negative"), relevant):
        qid, negative = qid.strip(), negative.strip()
        kept = found[qid]
        if len(kept) < per_query and negative not in kept and negative not in relevant[qid] and negative not in excluded:
            kept.append(negative)
    return found
