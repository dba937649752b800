"""Cutting documents into pieces a translation model can read whole.

NLLB-200 is trained on single sentences and reads at most ``max_position_embeddings`` tokens:
a longer input is truncated, and a multi-sentence input often comes back with whole sentences
silently left out. So every sentence is its own piece: a document is split at line breaks,
after ``. ! ? …`` followed by a space, and after the full-width ``。！？``, the Arabic ``؟`` and
the Devanagari ``।`` with or without one; a sentence longer than ``limit`` tokens is halved at
a word boundary (or, with no spaces, as in Chinese and Japanese, at a character) until every
part fits. Joining the pieces' translations covers the whole document: nothing is dropped.

The paper (appendix D.2) instead read each document whole, truncated to the input limit;
``document_pieces`` does that (``translation.nllb.segmentation: document``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

# Token counts of texts, special tokens included (source-language tag and end of sentence).
CountTokens = Callable[[Sequence[str]], list[int]]
# A text cut after its last token that fits the input limit (the text itself when it fits).
Truncate = Callable[[str], str]

_SENTENCE_END = regex.compile(r"\s*[\n\r]+\s*|(?<=[.!?…])\s+|(?<=[。！？؟।])\s*")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, stripped, without empty ones."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def pieces(text: str, count_tokens: CountTokens, limit: int) -> list[str]:
    """The sentences of ``text``, each cut into parts of at most ``limit`` tokens (an empty text has none)."""
    if limit < 4:
        raise ValueError(f"a piece limit of {limit} tokens leaves no room for text")
    sentences = split_sentences(text)
    if not sentences:
        return []
    result: list[str] = []
    for sentence, count in zip(sentences, count_tokens(sentences), strict=True):
        result += _halve_until_fits(sentence, count, count_tokens, limit)
    return result


def document_pieces(text: str, truncate: Truncate) -> list[str]:
    """The whole of ``text`` (stripped) as one piece, truncated to the input limit as the paper did; an empty text has none."""
    text = text.strip()
    return [truncate(text)] if text else []


def _halve_until_fits(text: str, count: int, count_tokens: CountTokens, limit: int) -> list[str]:
    if count <= limit:
        return [text]
    words = text.split()
    if len(words) > 1:
        middle = len(words) // 2
        halves = [" ".join(words[:middle]), " ".join(words[middle:])]
    else:
        middle = len(text) // 2
        halves = [text[:middle], text[middle:]]
    result: list[str] = []
    for half, half_count in zip(halves, count_tokens(halves), strict=True):
        result += _halve_until_fits(half, half_count, count_tokens, limit)
    return result
