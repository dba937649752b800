"""One cross-encoder training with sentence-transformers' ``CrossEncoderTrainer``, keeping the checkpoint of the best eval loss.

The model starts from a registry encoder's weights (its transformer, with a fresh one-logit
classification head), as the paper fine-tunes XLM-R-base and Nomic; the loss is binary
cross-entropy over the logit (``BinaryCrossEntropyLoss``, the sigmoid inside). After every epoch
the trainer evaluates the validation rows and saves a checkpoint; the one with the lowest eval
loss is loaded at the end (Table 11) and written whole into the output directory, without the
model card (it records wall times, so the same weights would get a new cache key). A killed run
resumes from its last epoch checkpoint; an existing output directory is never retrained.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossrank.core.checkpoints import checkpoint_epoch, last_checkpoint, remove_checkpoints
from crossrank.core.model_source import resolve_model
from crossrank.rerank.negatives import Example
from crossrank.rerank.settings import RerankSettings, training_arguments

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrossEncoderResult:
    """What a training chose: the best epoch, the eval loss per epoch and the wall time.

    ``resumed_from`` is the epoch of the checkpoint a killed run's job resumed from (0: trained from scratch).
    """

    best_epoch: int
    eval_loss: list[tuple[int, float]]
    seconds: float
    resumed_from: int = 0


def train_cross_encoder(
    base_model: str,
    train: Sequence[Example],
    validation: Sequence[Example],
    settings: RerankSettings,
    output_dir: str | Path,
    device: str = "cpu",
    trust_remote_code: bool = False,
    callbacks: Sequence[Any] = (),
    revision: str | None = None,
) -> CrossEncoderResult:
    """Train a cross-encoder from ``base_model`` (hub id, local directory or ``package:``) and write the best epoch's model."""
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    output = Path(output_dir)
    if output.exists():
        raise FileExistsError(f"{output} holds a finished cross-encoder; remove it to train again")
    if not train or not validation:
        raise ValueError("a cross-encoder needs training and validation examples")
    started = time.perf_counter()
    from transformers import set_seed

    path, _ = resolve_model(base_model)
    set_seed(settings.seed)  # the new classification head is drawn here, before the trainer seeds itself
    model = CrossEncoder(
        path, num_labels=1, max_length=settings.max_length, device=device, trust_remote_code=trust_remote_code, revision=revision
    )

    def rows(examples: Sequence[Example]) -> Any:
        return Dataset.from_dict(
            {"query": [e.query for e in examples], "document": [e.document for e in examples], "label": [float(e.label) for e in examples]}
        )

    checkpoints = output.with_name(output.name + ".checkpoints")
    trainer = CrossEncoderTrainer(
        model=model,
        args=training_arguments(settings, str(checkpoints), use_cpu=not device.startswith("cuda")),
        train_dataset=rows(train),
        eval_dataset=rows(validation),
        loss=BinaryCrossEntropyLoss(model),
        callbacks=list(callbacks),
    )
    resume = last_checkpoint(checkpoints)
    resumed_from = checkpoint_epoch(resume)
    if resume:
        log.info("resuming %s from %s (epoch %d)", output, resume, resumed_from)
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    losses = sorted(
        {round(entry["epoch"]): float(entry["eval_loss"]) for entry in trainer.state.log_history if "eval_loss" in entry}.items()
    )
    best = min(losses, key=lambda item: (item[1], item[0]))[0] if losses else settings.epochs
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    trainer.model.save(str(partial), create_model_card=False)
    partial.rename(output)
    remove_checkpoints(checkpoints)
    seconds = time.perf_counter() - started
    log.info("%s: best epoch %d of %d by eval loss, %.0f s", output, best, settings.epochs, seconds)
    return CrossEncoderResult(best, losses, seconds, resumed_from)
