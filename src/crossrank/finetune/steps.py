"""The steps of ``workflow/rules/finetune.smk``, one function per rule, named after it.

Each step reads its inputs, calls the stage's library, and writes its outputs atomically; steps
take plain paths and settings, so they run (and are tested) without Snakemake.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from typing import Any

from crossrank.core.devices import resolve_device
from crossrank.core.encoder_model import EncoderSpec
from crossrank.core.io import write_json
from crossrank.core.run_name import split_encoder
from crossrank.finetune.pairs import hold_out, read_phrase_pairs, read_query_documents
from crossrank.finetune.settings import FinetuneSettings
from crossrank.finetune.training import fine_tune

log = logging.getLogger("crossrank")


def finetune(
    tuned_name: str,
    base_params: Mapping[str, Any],
    settings_params: Mapping[str, Any],
    pairs_path: str,
    out_model: str,
    out_record: str,
    threads: int = 1,
) -> None:
    """Fine-tune one base encoder at one level (``tuned_name`` = ``<encoder>+<level>``) on a dataset's training pairs.

    Validation is a seeded share of the training ids (never an evaluated query: ``prepare``
    writes none into the training files); ``max_train_pairs`` and ``max_validation_pairs`` sample
    either side down (seeded) for CPU runs.
    """
    import torch

    torch.set_num_threads(max(1, threads))
    base, level = split_encoder(tuned_name)
    if level is None:
        raise ValueError(f"{tuned_name!r} names no fine-tuning level (<encoder>+<level>)")
    settings = FinetuneSettings.from_params(settings_params)
    pairs = read_phrase_pairs(pairs_path) if level == "phrase" else read_query_documents(pairs_path)
    train, validation = hold_out(pairs, settings_params.get("validation_fraction", 0.1), settings.seed)
    if settings.max_train_pairs and len(train) > settings.max_train_pairs:
        train = sorted(random.Random(settings.seed).sample(train, settings.max_train_pairs), key=train.index)
    most = settings_params.get("max_validation_pairs", 0)
    if most and len(validation) > most:
        validation = sorted(random.Random(settings.seed).sample(validation, most), key=validation.index)
    spec = EncoderSpec.from_params(base, {k: v for k, v in base_params.items() if k != "name"})
    device = resolve_device(settings_params.get("device", "auto"))
    log.info("%s: %d training pairs, %d validation pairs, on %s", tuned_name, len(train), len(validation), device)
    result = fine_tune(spec, level, train, validation, settings, out_model, device=device)
    record = {
        "encoder": tuned_name,
        "base": base,
        "level": level,
        "training_pairs": len(train),
        "validation_pairs": len(validation),
        "metric": result.metric,
        "best_epoch": result.best_epoch,
        "curve": [{"epoch": epoch, "score": round(score, 6)} for epoch, score in result.curve],
        "seconds": round(result.seconds, 1),
        "device": device,
    }
    write_json(out_record, record)
