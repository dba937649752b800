"""A cross-encoder's training examples: each training positive with its negatives, and the paper's 90/10 split.

- ``easy``: documents drawn at random (seeded, per query) from the training side's documents,
  none judged relevant for the query;
- ``hard``: the top of a ranking of the training side for the query (a first-stage run over the
  training queries, or a release's own candidate list), none judged relevant for the query.

Examples are ``(query, document, label)`` rows, label 1 for the positive and 0 for a negative,
written as the paper's CSV (``text1, text2, label``). The split into training and validation is
stratified by label and seeded (Table 11: 90/10, seed 42).
"""

from __future__ import annotations

import csv
import os
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossrank.core.errors import InputError
from crossrank.core.io import atomic_write

CSV_COLUMNS = ("text1", "text2", "label")


@dataclass(frozen=True)
class Example:
    """One cross-encoder training row: a query, a document and whether the document is relevant (1) or not (0)."""

    query: str
    document: str
    label: int


def easy_negatives(relevant: Mapping[str, set[str]], documents: Sequence[str], per_positive: int, seed: int) -> dict[str, list[str]]:
    """Per query, ``per_positive`` x (its relevant documents) random documents of ``documents`` it does not judge relevant.

    ``relevant`` maps each query to the ids of its relevant documents; ``documents`` is the
    training side's document ids. The draw is seeded per query, so it does not depend on which
    other queries are present.
    """
    pool = sorted(set(documents))
    drawn = {}
    for query in sorted(relevant):
        candidates = [doc for doc in pool if doc not in relevant[query]]
        wanted = min(len(candidates), per_positive * len(relevant[query]))
        drawn[query] = sorted(random.Random(f"{seed}:{query}").sample(candidates, wanted))
    return drawn


def hard_negatives(relevant: Mapping[str, set[str]], rankings: Mapping[str, Sequence[str]], per_positive: int) -> dict[str, list[str]]:
    """Per query, the top ``per_positive`` x (its relevant documents) of its ranking that it does not judge relevant."""
    drawn = {}
    for query in sorted(relevant):
        wanted = per_positive * len(relevant[query])
        drawn[query] = [doc for doc in rankings.get(query, ()) if doc not in relevant[query]][:wanted]
    return drawn


def examples(
    queries: Mapping[str, str], documents: Mapping[str, str], relevant: Mapping[str, set[str]], negatives: Mapping[str, Sequence[str]]
) -> list[Example]:
    """Each query's positives (label 1) followed by its negatives (label 0), queries in sorted order."""
    rows = []
    for query in sorted(relevant):
        rows += [Example(queries[query], documents[doc], 1) for doc in sorted(relevant[query])]
        rows += [Example(queries[query], documents[doc], 0) for doc in negatives.get(query, ())]
    return rows


def stratified_split(rows: Sequence[Example], validation_fraction: float, seed: int) -> tuple[list[Example], list[Example]]:
    """``(train, validation)``: ``validation_fraction`` of each label's rows, drawn with ``seed``, keeping the rows' order."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"the validation fraction must be between 0 and 1, got {validation_fraction}")
    by_label: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_label[row.label].append(index)
    held: set[int] = set()
    rng = random.Random(seed)
    for label in sorted(by_label):
        indices = by_label[label]
        count = max(1, round(len(indices) * validation_fraction)) if len(indices) > 1 else 0  # a label with 2+ rows is validated
        held |= set(rng.sample(indices, count))
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def write_examples(path: str | os.PathLike[str], rows: Sequence[Example]) -> None:
    """The paper's CSV: a ``text1,text2,label`` header, then one quoted row per example (atomically)."""
    with atomic_write(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows((row.query, row.document, row.label) for row in rows)


def read_examples(path: str | os.PathLike[str]) -> list[Example]:
    """The rows of an examples CSV; a bad header, row or label stops with the file and line."""
    path = Path(path)
    fix = "re-run the rule that wrote it (rerank_pairs_easy or rerank_pairs_hard)."
    if not path.is_file():
        raise InputError(path, "file not found.", fix=fix)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if tuple(header or ()) != CSV_COLUMNS:
            raise InputError(path, f"header is {header}, expected {list(CSV_COLUMNS)}.", line=1, fix=fix)
        rows = []
        for fields in reader:
            if len(fields) != 3 or fields[2] not in ("0", "1"):
                raise InputError(path, f"row {fields!r} is not text1, text2, label (0 or 1).", line=reader.line_num, fix=fix)
            rows.append(Example(fields[0], fields[1], int(fields[2])))
    return rows
