"""The steps of ``workflow/rules/finetune.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from crossrank.core.devices import resolve_device
from crossrank.core.encoder_model import EncoderSpec
from crossrank.core.io import all_or_nothing, write_json
from crossrank.core.run_name import split_encoder
from crossrank.finetune.pairs import TextPair, read_phrase_pairs, read_query_documents, read_training_pairs, write_training_pairs
from crossrank.finetune.settings import FinetuneSettings
from crossrank.finetune.tatoeba import tatoeba_pairs
from crossrank.finetune.training import fine_tune
from crossrank.finetune.training_data import held_out_split, word_split

log = logging.getLogger("crossrank")


def finetune_pairs_qd(query_documents: str, settings: Mapping[str, Any], out_train: str, out_validation: str) -> None:
    """The query-document level's pairs: the dataset's training pairs, a seeded share of their queries held out."""
    _write_split(*held_out_split(read_query_documents(query_documents), settings), out_train, out_validation, "qd")


def finetune_pairs_phrase(
    settings: Mapping[str, Any],
    out_train: str,
    out_validation: str,
    phrase_pairs: str | None = None,
    language_pairs: Sequence[Sequence[str]] = (),
) -> None:
    """The phrase level's pairs: the dataset's own parallel phrases (``phrase_pairs``), else Tatoeba's for ``language_pairs``."""
    if phrase_pairs:
        pairs = read_phrase_pairs(phrase_pairs)
    else:
        block = settings.get("phrase", {})
        pairs = tatoeba_pairs(
            block["tatoeba"],
            [(a, b) for a, b in language_pairs],
            block.get("pairs_per_language_pair", 1000),
            settings.get("seed", 42),
            block.get("codes", {}),
        )
    _write_split(*held_out_split(pairs, settings), out_train, out_validation, "phrase")


def finetune_pairs_word(settings: Mapping[str, Any], languages: Sequence[str], out_train: str, out_validation: str) -> None:
    """The word level's pairs: the WiC releases' pairs in the dataset's ``languages`` (training splits; dev for validation)."""
    _write_split(*word_split(settings, languages), out_train, out_validation, "word")


def _write_split(train: list[TextPair], validation: list[TextPair], out_train: str, out_validation: str, level: str) -> None:
    if not train or not validation:
        side = "training" if not train else "validation"
        raise ValueError(f"{level}: no {side} pairs; the level's sources hold none for this dataset's languages")
    with all_or_nothing([out_train, out_validation]):
        write_training_pairs(out_train, train)
        write_training_pairs(out_validation, validation)
    log.info("%s: %d training pairs, %d validation pairs", level, len(train), len(validation))


def finetune(
    dataset: str,
    tuned_name: str,
    base_params: Mapping[str, Any],
    settings_params: Mapping[str, Any],
    train_path: str,
    validation_path: str,
    out_model: str,
    out_record: str,
    threads: int = 1,
) -> None:
    """Fine-tune one base encoder at one level (``tuned_name`` = ``<encoder>+<level>``) on a pairs rule's training file.

    The best epoch is selected on the pairs rule's validation file; the record (JSON) keeps
    what was chosen, the per-epoch validation curve and the wall time.
    """
    import torch

    torch.set_num_threads(max(1, threads))
    base, level = split_encoder(tuned_name)
    if level is None:
        raise ValueError(f"{tuned_name!r} names no fine-tuning level (<encoder>+<level>)")
    settings = FinetuneSettings.from_params(settings_params)
    train, validation = read_training_pairs(train_path), read_training_pairs(validation_path)
    spec = EncoderSpec.from_params(base, {k: v for k, v in base_params.items() if k != "name"})
    device = resolve_device(settings_params.get("device", "auto"))
    log.info("%s: %d training pairs, %d validation pairs, on %s", tuned_name, len(train), len(validation), device)
    result = fine_tune(spec, level, train, validation, settings, out_model, device=device)
    record = {
        "dataset": dataset,
        "encoder": tuned_name,
        "base": base,
        "level": level,
        "training_pairs": len(train),
        "validation_pairs": len(validation),
        "metric": result.metric,
        "best_epoch": result.best_epoch,
        "curve": [{"epoch": epoch, "score": round(score, 6)} for epoch, score in result.curve],
        "seconds": round(result.seconds, 1),
        "resumed_from_epoch": result.resumed_from,  # > 0: this job finished a killed job's training from its checkpoint
        "device": device,
    }
    write_json(out_record, record)
