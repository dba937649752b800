"""Cutting documents into pieces a translation model can read whole.

NLLB-200 is trained on sentence-length inputs and reads at most ``max_position_embeddings``
tokens; a longer input is truncated or translated badly. A document is split into sentences
(after ``. ! ? …`` followed by a space, and after the full-width ``。！？``, the Arabic ``؟`` and
the Devanagari ``।`` with or without one); consecutive sentences are packed into pieces of at
most ``limit`` tokens; a sentence longer than ``limit`` is halved at a word boundary (or, with
no spaces, as in Chinese and Japanese, at a character) until every part fits. Joining the
pieces' translations covers the whole document: nothing past the limit is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

# Token counts of texts, special tokens included (source-language tag and end of sentence).
CountTokens = Callable[[Sequence[str]], list[int]]

_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|(?<=[。！？؟।])\s*")


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, stripped, without empty ones."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def pieces(text: str, count_tokens: CountTokens, limit: int) -> list[str]:
    """Consecutive pieces of ``text`` of at most ``limit`` tokens each (an empty text has none)."""
    if limit < 4:
        raise ValueError(f"a piece limit of {limit} tokens leaves no room for text")
    sentences = split_sentences(text)
    if not sentences:
        return []
    fitting: list[tuple[str, int]] = []
    for sentence, count in zip(sentences, count_tokens(sentences), strict=True):
        fitting += _halve_until_fits(sentence, count, count_tokens, limit)
    return _pack(fitting, _special_tokens(count_tokens), limit)


def _special_tokens(count_tokens: CountTokens) -> int:
    """Tokens a tokenizer adds to every input (language tag, end of sentence)."""
    return count_tokens([""])[0]


def _halve_until_fits(text: str, count: int, count_tokens: CountTokens, limit: int) -> list[tuple[str, int]]:
    if count <= limit:
        return [(text, count)]
    words = text.split(" ")
    if len(words) > 1:
        middle = len(words) // 2
        halves = [" ".join(words[:middle]), " ".join(words[middle:])]
    else:
        middle = len(text) // 2
        halves = [text[:middle], text[middle:]]
    result: list[tuple[str, int]] = []
    for half, half_count in zip(halves, count_tokens(halves), strict=True):
        result += _halve_until_fits(half, half_count, count_tokens, limit)
    return result


def _pack(sentences: list[tuple[str, int]], special: int, limit: int) -> list[str]:
    """Greedily join consecutive sentences while the joined piece stays within ``limit``.

    A joined piece's count is estimated as the sum of its sentences' text tokens plus one set
    of special tokens; a join adds at most one token at the seam, counted too.
    """
    packed: list[str] = []
    current: list[str] = []
    current_tokens = special
    for sentence, count in sentences:
        text_tokens = count - special
        if current and current_tokens + 1 + text_tokens > limit:
            packed.append(" ".join(current))
            current, current_tokens = [], special
        current_tokens += text_tokens + (1 if current else 0)
        current.append(sentence)
    if current:
        packed.append(" ".join(current))
    return packed
