"""Documents truncated to N tokens at preparation (the paper's section 3.1: every document cut to 512 tokens).

``params.yaml``'s ``truncation`` block names the limit and whose tokens are counted; the prepare
steps apply it to the pool documents and their parallel English texts, so BM25, translation and
every encoder read the same text. Tokens are counted without special tokens, and a longer text is
cut at the end of its ``max_tokens``-th token (the fast tokenizer's character offsets), so the cut
text is a prefix of the original. ``max_tokens: 0`` loads no tokenizer and changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from crossrank.core.contract import Document
from crossrank.core.errors import ConfigError
from crossrank.core.model_source import resolve_model
from crossrank.core.text_prefix import longest_fitting_prefix
from crossrank.prepare.prepared import PreparedDataset, Statistic

log = logging.getLogger("crossrank")

DEFAULT_TOKENIZER = "FacebookAI/xlm-roberta-base"
BATCH_SIZE = 256  # texts per tokenizer call


@dataclass(frozen=True)
class TruncationSettings:
    """``params.yaml``'s ``truncation`` block: the token limit (0 = off) and the tokenizer counting them."""

    max_tokens: int = 0
    tokenizer: str = DEFAULT_TOKENIZER
    revision: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> TruncationSettings:
        """The settings of a (validated) ``truncation`` block; None or an empty block means no truncation."""
        params = params or {}
        settings = cls(
            max_tokens=int(params.get("max_tokens", 0)),
            tokenizer=params.get("tokenizer", DEFAULT_TOKENIZER),
            revision=params.get("revision"),
        )
        if settings.max_tokens < 0:
            raise ConfigError(f"params.yaml 'truncation.max_tokens' is {settings.max_tokens}. Fix: set 0 (off) or a positive limit.")
        return settings

    @property
    def enabled(self) -> bool:
        return self.max_tokens > 0


def load_tokenizer(settings: TruncationSettings) -> Any:
    """The fast tokenizer whose tokens are counted (hub id at ``revision``, local directory or ``package:<module>``)."""
    from transformers import AutoTokenizer

    path, _ = resolve_model(settings.tokenizer)
    hub_kwargs = {"revision": settings.revision} if settings.revision else {}
    tokenizer = AutoTokenizer.from_pretrained(path, **hub_kwargs)
    if not tokenizer.is_fast:
        raise ConfigError(
            f"params.yaml 'truncation.tokenizer' {settings.tokenizer!r} has no fast (Rust) tokenizer, which truncation "
            "needs for character offsets. Fix: name a model that ships a tokenizer.json."
        )
    return tokenizer


def truncate_texts(texts: Sequence[str], tokenizer: Any, max_tokens: int, desc: str = "truncate") -> list[str]:
    """Each text cut at the end of its ``max_tokens``-th token (special tokens not counted); shorter texts as they are.

    Where that prefix tokenizes into more tokens than the original's first ``max_tokens`` (a word
    cut in two), the cut moves back a token until it fits.
    """
    result = list(texts)
    for start in tqdm(range(0, len(result), BATCH_SIZE), desc=desc, unit="batch"):
        batch = result[start : start + BATCH_SIZE]
        encoded = tokenizer(batch, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        for index, (text, offsets) in enumerate(zip(batch, encoded["offset_mapping"], strict=True)):
            if len(offsets) > max_tokens:
                ends = [end for _, end in offsets[:max_tokens]]
                result[start + index] = longest_fitting_prefix(text, ends, lambda prefix: _count(tokenizer, prefix) <= max_tokens)
    return result


def _count(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def truncate_documents(
    documents: Sequence[Document], settings: TruncationSettings, tokenizer: Any = None
) -> tuple[list[Document], list[Statistic]]:
    """The documents cut to ``settings.max_tokens`` tokens, and the statistics rows saying how many were cut.

    A document within the limit is returned as the same object; with ``max_tokens`` 0 no
    tokenizer is loaded, the documents come back unchanged and there are no statistics.
    """
    if not settings.enabled:
        return list(documents), []
    tokenizer = tokenizer if tokenizer is not None else load_tokenizer(settings)
    texts = truncate_texts([d.text for d in documents], tokenizer, settings.max_tokens, desc="truncate documents")
    result = [d if text == d.text else dataclasses.replace(d, text=text) for d, text in zip(documents, texts, strict=True)]
    cut = sum(1 for before, after in zip(documents, result, strict=True) if before is not after)
    log.info("truncation: %d of %d documents cut to %d tokens of %s", cut, len(result), settings.max_tokens, settings.tokenizer)
    return result, [("truncation", "documents_truncated", cut), ("truncation", "max_tokens", settings.max_tokens)]


def truncate_prepared(prepared: PreparedDataset, params: Mapping[str, Any] | None) -> PreparedDataset:
    """A prepared dataset with its pool documents and parallel English texts truncated; training pairs untouched.

    Adds the statistics rows of :func:`truncate_documents` (and ``english_truncated`` where the
    dataset has parallel English); returns ``prepared`` itself when truncation is off.
    """
    settings = TruncationSettings.from_params(params)
    if not settings.enabled:
        return prepared
    tokenizer = load_tokenizer(settings)
    documents, statistics = truncate_documents(prepared.documents, settings, tokenizer)
    oracle = prepared.oracle_english
    if oracle is not None:
        english = truncate_texts(list(oracle.values()), tokenizer, settings.max_tokens, desc="truncate English")
        statistics.append(("truncation", "english_truncated", sum(1 for a, b in zip(oracle.values(), english, strict=True) if a != b)))
        oracle = dict(zip(oracle, english, strict=True))
    return dataclasses.replace(prepared, documents=documents, statistics=[*prepared.statistics, *statistics], oracle_english=oracle)
