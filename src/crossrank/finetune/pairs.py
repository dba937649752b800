"""Training pairs of the phrase and query-document levels, and the validation data that selects the best epoch.

Phrase pairs are parallel texts in two languages (the ``cldr`` benchmark's phrases of training
entities, ``phrase_pairs.tsv``; Tatoeba's line-aligned sentence files). Query-document pairs are
a dataset's training pairs (``query_documents.tsv``), written by ``prepare`` without any evaluated
query or document. Validation is a seeded share of the training ids held out from training, so
it never touches an evaluated query; every pair with a held-out id goes to validation, so one
query's pairs never sit on both sides.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crossrank.core.errors import InputError
from crossrank.core.io import read_tsv

PHRASE_COLUMNS = ("id", "lang_a", "text_a", "lang_b", "text_b")
QUERY_DOCUMENT_COLUMNS = ("id", "query_lang", "query", "doc_lang", "document")


@dataclass(frozen=True)
class TextPair:
    """Two texts that should embed close together: a translation pair, or a query and its relevant document."""

    pair_id: str  # the entity, query or sentence the pair comes from (validation holds out whole ids)
    lang_a: str
    text_a: str
    lang_b: str
    text_b: str

    @property
    def languages(self) -> str:
        """The pair's language pair, ``a-b`` (what per-pair validation averages over)."""
        return f"{self.lang_a}-{self.lang_b}"


def read_phrase_pairs(path: str | os.PathLike[str]) -> list[TextPair]:
    """The parallel phrases ``prepare`` writes (``phrase_pairs.tsv``, training entities only)."""
    return [TextPair(*fields) for _line, fields in read_tsv(path, PHRASE_COLUMNS, header=True)]


def read_query_documents(path: str | os.PathLike[str]) -> list[TextPair]:
    """A dataset's training query-document pairs (``query_documents.tsv``)."""
    return [TextPair(*fields) for _line, fields in read_tsv(path, QUERY_DOCUMENT_COLUMNS, header=True)]


def read_tatoeba(directory: str | os.PathLike[str], code: str, lang: str) -> list[TextPair]:
    """Tatoeba as packaged for LASER: ``tatoeba.{code}-eng.{code}`` and ``tatoeba.{code}-eng.eng``, line i translating line i.

    ``code`` is the ISO 639-3 code of the files, ``lang`` the dataset's code for that language;
    the English side is ``en``. Files of different lengths, or an empty line on one side only,
    stop with the file and line.
    """
    base = Path(directory)
    source, english = base / f"tatoeba.{code}-eng.{code}", base / f"tatoeba.{code}-eng.eng"
    fix = "download the LASER Tatoeba test set (github.com/facebookresearch/LASER, data/tatoeba/v1) unchanged."
    for path in (source, english):
        if not path.is_file():
            raise InputError(path, "file not found.", fix=fix)
    left = source.read_text(encoding="utf-8").splitlines()
    right = english.read_text(encoding="utf-8").splitlines()
    if len(left) != len(right):
        shorter = source if len(left) < len(right) else english
        raise InputError(shorter, f"has {min(len(left), len(right))} lines, its parallel file {max(len(left), len(right))}.", fix=fix)
    pairs = []
    for number, (text, translation) in enumerate(zip(left, right, strict=True), start=1):
        if bool(text.strip()) != bool(translation.strip()):
            empty = source if not text.strip() else english
            raise InputError(empty, "empty line where its parallel file has a sentence.", line=number, fix=fix)
        if text.strip():
            pairs.append(TextPair(f"tatoeba.{code}.{number}", lang, text.strip(), "en", translation.strip()))
    return pairs


def sample_per_language_pair(pairs: Sequence[TextPair], per_pair: int, seed: int) -> list[TextPair]:
    """At most ``per_pair`` pairs of each language pair, drawn with a seeded generator per pair (0 keeps all)."""
    if per_pair <= 0:
        return list(pairs)
    by_languages: dict[str, list[TextPair]] = defaultdict(list)
    for pair in pairs:
        by_languages[pair.languages].append(pair)
    drawn = []
    for languages in sorted(by_languages):
        group = by_languages[languages]
        rng = random.Random(f"{seed}:{languages}")
        drawn += group if len(group) <= per_pair else sorted(rng.sample(group, per_pair), key=group.index)
    return drawn


def hold_out(pairs: Sequence[TextPair], fraction: float, seed: int) -> tuple[list[TextPair], list[TextPair]]:
    """``(training, validation)``: a seeded ``fraction`` of the pair ids, with all their pairs, held out for validation."""
    if not 0 < fraction < 1:
        raise ValueError(f"the validation fraction must be between 0 and 1, got {fraction}")
    ids = sorted({pair.pair_id for pair in pairs})
    held = set(random.Random(seed).sample(ids, max(1, round(len(ids) * fraction)))) if len(ids) > 1 else set()
    return [p for p in pairs if p.pair_id not in held], [p for p in pairs if p.pair_id in held]
