"""Cutting a text at a token boundary so that it still fits once tokenized again.

A tokenizer's character offsets say where its N-th token ends, but the prefix up to there can
tokenize differently: a word cut in two, or a space left at the end, may give one token more.
Both truncations of the project (documents at preparation, whole documents before NLLB) cut at
the longest token end whose prefix, tokenized again, still fits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def longest_fitting_prefix(text: str, token_ends: Iterable[int], fits: Callable[[str], bool]) -> str:
    """``text[:end]`` for the largest ``end`` of ``token_ends`` whose prefix ``fits``.

    When none fits (a limit of a token or two, where even the first word splits), the shortest
    non-empty candidate: a text is never cut to nothing.
    """
    candidates = [text[:end] for end in sorted(set(token_ends), reverse=True) if end > 0]
    if not candidates:
        raise ValueError(f"no token ends inside the text {text[:40]!r}")
    return next((prefix for prefix in candidates if fits(prefix)), candidates[-1])
