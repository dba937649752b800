"""One contrastive fine-tuning run with sentence-transformers' trainer, keeping the best epoch only.

Phrase and query-document level: InfoNCE over in-batch negatives (``MultipleNegativesRankingLoss``
at scale 1 / temperature) on (anchor, positive) pairs. Word level: the contrastive loss
(``ContrastiveLoss``) on labelled context pairs, the releases' different-sense pairs as
negatives. Settings are the paper's Table 10 (:mod:`crossrank.finetune.settings`). After every
epoch the validation evaluator scores the model, the trainer keeps a checkpoint, and the best
epoch is loaded at the end: word level by accuracy at the best cosine threshold (binary
classification), phrase level by translation matching within each language pair (Recall@1 from
A to B and from B to A; their mean ranks epochs as their sum does), query-document level by
nDCG@10 per language pair; both macro-averaged over the pairs. With ``epoch_zero`` the untrained model is a candidate too.
The result is written whole into the output directory (a sentence-transformers model that
:func:`crossrank.core.encoder_model.load_encoder` reads like any local model) with the validation
curve; the trainer's checkpoints are deleted. A killed run resumes from its last epoch checkpoint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import shutil
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossrank.core.checkpoints import checkpoint_epoch, last_checkpoint, remove_checkpoints
from crossrank.core.encoder_model import EncoderSpec, load_encoder
from crossrank.finetune.pairs import TextPair
from crossrank.finetune.settings import FinetuneSettings, training_arguments

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingResult:
    """What a run chose: the best epoch, the validation curve ``[(epoch, score)]`` and the score's name.

    ``resumed_from`` is the epoch of the checkpoint a killed run's job resumed from (0: trained from scratch).
    """

    best_epoch: int
    curve: list[tuple[int, float]]
    metric: str
    seconds: float
    resumed_from: int = 0


def best_epoch(curve: Sequence[tuple[int, float]]) -> int:
    """The epoch with the highest validation score; the earliest among equals (less training for the same score)."""
    if not curve:
        raise ValueError("no validation score to select an epoch from")
    best = max(score for _, score in curve)
    return min(epoch for epoch, score in curve if score == best)


def validation_evaluator(level: str, validation: Sequence[TextPair], spec: EncoderSpec, batch_size: int) -> tuple[Any, str]:
    """The library evaluator that scores an epoch on held-out pairs, and the name of its main score."""
    from sentence_transformers.sentence_transformer.evaluation import (
        BinaryClassificationEvaluator,
        InformationRetrievalEvaluator,
        SequentialEvaluator,
        TranslationEvaluator,
    )

    if not validation:
        raise ValueError(f"{level}: no validation pairs to select the best epoch with")
    if level == "word":
        evaluator = BinaryClassificationEvaluator(
            [spec.model_input(p.text_a, "query") for p in validation],
            [spec.model_input(p.text_b, "query") for p in validation],
            [p.label for p in validation],
            name="word",
            batch_size=batch_size,
            write_csv=False,
            similarity_fn_names=["cosine"],
        )
        return evaluator, "word_cosine_accuracy"
    if level not in ("phrase", "qd"):
        raise ValueError(f"no validation evaluator for level {level!r}")
    by_languages: dict[str, list[TextPair]] = defaultdict(list)
    for pair in validation:
        by_languages[pair.languages].append(pair)
    if level == "phrase":  # matching within each language pair: one sentence may be validated in several pairs
        translations = [
            TranslationEvaluator(
                [spec.model_input(p.text_a, "query") for p in pairs],
                [spec.model_input(p.text_b, "query") for p in pairs],
                batch_size=batch_size,
                name=languages,
                write_csv=False,
            )
            for languages, pairs in sorted(by_languages.items())
        ]
        return SequentialEvaluator(translations, main_score_function=_mean), "sequential_score"
    evaluators = []
    for languages, pairs in sorted(by_languages.items()):
        corpus = {_text_id(p.text_b): p.text_b for p in pairs}
        queries = {f"{p.pair_id}:{i}": p.text_a for i, p in enumerate(pairs)}
        relevant = {f"{p.pair_id}:{i}": {_text_id(p.text_b)} for i, p in enumerate(pairs)}
        evaluators.append(
            InformationRetrievalEvaluator(
                queries,
                corpus,
                relevant,
                ndcg_at_k=[10],
                mrr_at_k=[10],
                accuracy_at_k=[1],
                precision_recall_at_k=[10],
                map_at_k=[10],
                batch_size=batch_size,
                name=languages,
                write_csv=False,
                query_prompt=spec.query_prefix or None,
                corpus_prompt=spec.document_prefix or None,
            )
        )
    return SequentialEvaluator(evaluators, main_score_function=_mean), "sequential_score"


def _mean(scores: Sequence[float]) -> float:
    """The macro average of the per-language-pair scores (every pair counts once, whatever its size)."""
    return math.fsum(scores) / len(scores)


def fine_tune(
    spec: EncoderSpec,
    level: str,
    train: Sequence[TextPair],
    validation: Sequence[TextPair],
    settings: FinetuneSettings,
    output_dir: str | Path,
    device: str = "cpu",
    callbacks: Sequence[Any] = (),
) -> TrainingResult:
    """Train ``spec``'s model on ``train`` and write the best epoch's model into ``output_dir``.

    An existing ``output_dir`` is a finished run and is never retrained: remove it to train again.
    ``callbacks`` are transformers ``TrainerCallback`` objects (progress reporting, tests).
    """
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.sentence_transformer.losses import ContrastiveLoss, MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.training_args import BatchSamplers

    output = Path(output_dir)
    if output.exists():
        raise FileExistsError(f"{output} holds a finished fine-tuning run; remove it to train again")
    if not train:
        raise ValueError(f"{level}: no training pairs")
    started = time.perf_counter()
    spec = dataclasses.replace(spec, max_length=min(spec.max_length, settings.max_length(level)))
    model = load_encoder(spec, device=device)
    positive_kind = "document" if level == "qd" else "query"
    columns = {
        "anchor": [spec.model_input(p.text_a, "query") for p in train],
        "positive": [spec.model_input(p.text_b, positive_kind) for p in train],
    }
    if level == "word":  # labelled pairs: the releases' different-sense pairs are the negatives
        columns["label"] = [p.label for p in train]
        loss = ContrastiveLoss(model, margin=settings.word_margin)
    else:
        loss = MultipleNegativesRankingLoss(model, scale=settings.loss_scale)
    dataset = Dataset.from_dict(columns)
    evaluator, metric = validation_evaluator(level, validation, spec, settings.batch_size)
    curve = [(0, float(evaluator(model)[metric]))] if settings.epoch_zero else []
    checkpoints = output.with_name(output.name + ".checkpoints")
    args = training_arguments(settings, str(checkpoints), f"eval_{metric}", use_cpu=not device.startswith("cuda"))
    if level != "word":
        args.batch_sampler = BatchSamplers.NO_DUPLICATES  # a duplicate text in a batch would be a false in-batch negative
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        loss=loss,
        evaluator=evaluator,
        callbacks=list(callbacks),
    )
    _log_metrics_to_the_job_log(trainer)
    resume = last_checkpoint(checkpoints)
    resumed_from = checkpoint_epoch(resume)
    if resume:
        log.info("resuming %s from %s (epoch %d)", output, resume, resumed_from)
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    epochs = [(round(entry["epoch"]), float(entry[f"eval_{metric}"])) for entry in trainer.state.log_history if f"eval_{metric}" in entry]
    curve += sorted(dict(epochs).items())
    chosen = best_epoch(curve)
    final = load_encoder(spec, device=device) if chosen == 0 else trainer.model
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    final.save(str(partial), create_model_card=False)  # the card records wall times: same weights, same bytes, same cache key
    partial.rename(output)
    remove_checkpoints(checkpoints)
    seconds = time.perf_counter() - started
    log.info("%s: best epoch %d of %d (%s %.4f), %.0f s", output, chosen, settings.epochs, metric, dict(curve)[chosen], seconds)
    return TrainingResult(chosen, curve, metric, seconds, resumed_from)


def _log_metrics_to_the_job_log(trainer: Any) -> None:
    """Keep the trainer's progress bar, but send its metric dicts (one line per language pair per epoch) to the log, not the terminal."""
    from transformers.trainer_callback import ProgressCallback

    class LoggedProgress(ProgressCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            if state.is_world_process_zero and logs:
                log.info("epoch %s: %s", logs.get("epoch"), {k: v for k, v in logs.items() if k != "total_flos"})

    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(LoggedProgress)


def _text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
