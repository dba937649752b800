"""The paper's contrastive training configuration (Table 10), and the trainer arguments that realise it.

sentence-transformers and transformers default to other choices than the paper, each overridden
here: the multiple-negatives loss scales similarities by 20 (temperature 0.05; the paper's 0.1 is
a scale of 10), the trainer clips gradients at norm 1.0 (the paper: no clipping), decays the
learning rate linearly (the paper: no scheduler), and AdamW decays weights (the paper: Adam, which
is AdamW with a weight decay of 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from crossrank.core.errors import ConfigError

LEVELS = ("word", "phrase", "qd")


@dataclass(frozen=True)
class FinetuneSettings:
    """One training run's hyperparameters; the defaults are the paper's Table 10."""

    learning_rate: float = 1e-5
    batch_size: int = 16
    epochs: int = 10
    temperature: float = 0.1  # InfoNCE over in-batch negatives: similarities scaled by 1 / temperature
    max_length_short: int = 128  # word and phrase level
    max_length_qd: int = 512  # query-document level
    epoch_zero: bool = True  # the untrained model is a candidate of best-epoch selection
    word_margin: float = 0.5  # word level: the contrastive loss's margin on cosine distance (sentence-transformers' default)
    seed: int = 42

    def __post_init__(self) -> None:
        for name in ("batch_size", "epochs", "max_length_short", "max_length_qd"):
            if getattr(self, name) < 1:
                raise ConfigError(f"params.yaml 'finetune.{name}' is {getattr(self, name)}. Fix: set it to 1 or more.")
        if not self.temperature > 0 or not self.learning_rate > 0 or not self.word_margin > 0:
            raise ConfigError("params.yaml 'finetune.temperature', 'finetune.learning_rate' and 'finetune.word.margin' must be positive.")

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> FinetuneSettings:
        """Build from the ``finetune`` block (keys it does not name, such as ``encoders``, are ignored)."""
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in (params or {}).items() if key in names}
        if "margin" in (params or {}).get("word", {}):
            values["word_margin"] = params["word"]["margin"]
        return cls(**values)

    @property
    def loss_scale(self) -> float:
        """The multiple-negatives ranking loss's ``scale``: 1 / temperature (10 for the paper's 0.1)."""
        return 1.0 / self.temperature

    def max_length(self, level: str) -> int:
        """The longest input of a level: 128 tokens for word and phrase pairs, 512 for query-document."""
        if level not in LEVELS:
            raise ValueError(f"unknown fine-tuning level {level!r}; use one of {', '.join(LEVELS)}")
        return self.max_length_qd if level == "qd" else self.max_length_short


def training_arguments(settings: FinetuneSettings, output_dir: str, metric: str, use_cpu: bool) -> Any:
    """The trainer's arguments for Table 10: Adam, constant learning rate, no warmup, no clipping, per-epoch checkpoints.

    ``metric`` is the evaluator's key that selects the best epoch (e.g. ``eval_sequential_score``).
    """
    from sentence_transformers import SentenceTransformerTrainingArguments

    return SentenceTransformerTrainingArguments(
        output_dir=output_dir,
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        optim="adamw_torch",
        weight_decay=0.0,  # AdamW without decay is Adam
        lr_scheduler_type="constant",  # no scheduler
        warmup_steps=0,
        max_grad_norm=0.0,  # transformers clips only when > 0
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model=metric,
        greater_is_better=True,
        seed=settings.seed,
        data_seed=settings.seed,
        use_cpu=use_cpu,
        bf16=not use_cpu and _bf16_supported(),
        fp16=not use_cpu and not _bf16_supported(),
        report_to="none",
        logging_strategy="epoch",
        disable_tqdm=False,
        dataloader_drop_last=False,
    )


def _bf16_supported() -> bool:
    import torch

    return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
