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

from crossrank.core.errors import InputError
from crossrank.core.io import read_tsv, write_tsv

PHRASE_COLUMNS = ("id", "lang_a", "text_a", "lang_b", "text_b")
QUERY_DOCUMENT_COLUMNS = ("id", "query_lang", "query", "doc_lang", "document")
# The training and validation files the pairs rules write (data/finetune/{dataset}/pairs/).
TRAINING_COLUMNS = ("id", "lang_a", "text_a", "lang_b", "text_b", "label")


@dataclass(frozen=True)
class TextPair:
    """Two texts that should embed close together (a translation pair, a query and its relevant document), or apart.

    ``label`` is 1 for every phrase and query-document pair; word-level pairs of contexts are 1
    when the target word has the same sense in both, 0 when not (the dataset's negatives).
    """

    pair_id: str  # the entity, query or sentence the pair comes from (validation holds out whole ids)
    lang_a: str
    text_a: str
    lang_b: str
    text_b: str
    label: int = 1

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


def read_training_pairs(path: str | os.PathLike[str]) -> list[TextPair]:
    """A level's training or validation file, as a pairs rule wrote it."""
    pairs = []
    for line, fields in read_tsv(path, TRAINING_COLUMNS, header=True):
        if fields[5] not in ("0", "1"):
            fix = "re-run the finetune_pairs rule that wrote it."
            raise InputError(path, f"label {fields[5]!r} is neither 1 nor 0.", line=line, fix=fix)
        pairs.append(TextPair(*fields[:5], label=int(fields[5])))
    return pairs


def write_training_pairs(path: str | os.PathLike[str], pairs: Sequence[TextPair]) -> None:
    """Write pairs in the training-file format (atomically)."""
    write_tsv(path, ([p.pair_id, p.lang_a, p.text_a, p.lang_b, p.text_b, p.label] for p in pairs), header=TRAINING_COLUMNS)


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
