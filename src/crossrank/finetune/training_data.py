"""A level's training and validation pairs for one dataset, from the sources that level reads.

- query-document: the dataset's training pairs; validation is a seeded share of the training
  query ids (so never an evaluated query: ``prepare`` writes none into the training files);
- phrase: the dataset's own parallel phrases (``cldr``: its training entities' phrases) or
  Tatoeba's sentences for the language pairs the dataset evaluates; validation held out the same way;
- word: the WiC releases' pairs in the dataset's languages, trained on the configured splits and
  validated on the releases' dev splits.

``max_train_pairs`` and ``max_validation_pairs`` then cap either side by a seeded draw (CPU runs).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from crossrank.finetune.pairs import TextPair, hold_out
from crossrank.finetune.word_pairs import WORD_SOURCES, WordFile, languages_of, read_word_file, word_files


def capped(pairs: Sequence[TextPair], most: int, seed: int) -> list[TextPair]:
    """At most ``most`` of ``pairs`` (0 = all), a seeded draw that keeps their order."""
    if not most or len(pairs) <= most:
        return list(pairs)
    return sorted(random.Random(seed).sample(list(pairs), most), key=list(pairs).index)


def held_out_split(pairs: Sequence[TextPair], settings: Mapping[str, Any]) -> tuple[list[TextPair], list[TextPair]]:
    """``(train, validation)``: a seeded ``validation_fraction`` of the pair ids held out, then both sides capped."""
    seed = settings.get("seed", 42)
    train, validation = hold_out(pairs, settings.get("validation_fraction", 0.1), seed)
    return capped(train, settings.get("max_train_pairs", 0), seed), capped(validation, settings.get("max_validation_pairs", 0), seed)


def word_sources(settings: Mapping[str, Any]) -> dict[str, str]:
    """The configured word-level releases, ``{source: directory}`` (a null directory leaves a release out)."""
    block = settings.get("word", {})
    return {source: block[source] for source in WORD_SOURCES if block.get(source)}


def word_training_files(settings: Mapping[str, Any], languages: Iterable[str]) -> tuple[list[WordFile], list[WordFile]]:
    """``(training files, validation files)`` of the configured releases for the languages a release shares with ``languages``."""
    wanted = set(languages)
    splits = list(settings.get("word", {}).get("training_splits", ["train"]))
    training, validation = [], []
    for source, root in word_sources(settings).items():
        for lang in languages_of(source):
            if lang in wanted:
                training += word_files(source, root, lang, splits)
                validation += word_files(source, root, lang, ["dev"])
    return training, validation


def word_split(settings: Mapping[str, Any], languages: Iterable[str]) -> tuple[list[TextPair], list[TextPair]]:
    """``(train, validation)`` word-level pairs in ``languages``: the releases' training splits and their dev splits, capped."""
    training_files, validation_files = word_training_files(settings, languages)
    train = [pair for file in training_files for pair in read_word_file(file)]
    validation = [pair for file in validation_files for pair in read_word_file(file)]
    seed = settings.get("seed", 42)
    return capped(train, settings.get("max_train_pairs", 0), seed), capped(validation, settings.get("max_validation_pairs", 0), seed)
