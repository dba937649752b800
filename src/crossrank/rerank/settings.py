"""The paper's cross-encoder training configuration (Table 11), and the trainer arguments that realise it.

Table 11 keeps sentence-transformers' own choices (AdamW with its weight decay, a linear schedule)
and adds a 10% warmup, 10 epochs, batch 8, 512 tokens, best checkpoint by eval loss and fp16 on
CUDA; the trainer's defaults that differ (no warmup, 3 epochs, the last checkpoint kept) are set
here, each checked by a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from crossrank.core.errors import ConfigError

NEGATIVES = ("easy", "hard")


@dataclass(frozen=True)
class RerankSettings:
    """One cross-encoder training's hyperparameters; the defaults are the paper's Table 11."""

    learning_rate: float = 2e-5
    batch_size: int = 8  # per device, training and evaluation
    epochs: int = 10
    warmup_ratio: float = 0.1
    max_length: int = 512  # query + document
    seed: int = 42

    def __post_init__(self) -> None:
        for name in ("batch_size", "epochs", "max_length"):
            if getattr(self, name) < 1:
                raise ConfigError(f"params.yaml 'rerank.{name}' is {getattr(self, name)}. Fix: set it to 1 or more.")
        if not self.learning_rate > 0 or not 0 <= self.warmup_ratio < 1:
            raise ConfigError("params.yaml 'rerank.learning_rate' must be positive and 'rerank.warmup_ratio' in [0, 1).")

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> RerankSettings:
        """Build from the ``rerank`` block (keys it does not name, such as ``models``, are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in (params or {}).items() if key in names})


def training_arguments(settings: RerankSettings, output_dir: str, use_cpu: bool) -> Any:
    """The cross-encoder trainer's arguments for Table 11: linear schedule, 10% warmup, per-epoch checkpoints, best by eval loss."""
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    return CrossEncoderTrainingArguments(
        output_dir=output_dir,
        num_train_epochs=settings.epochs,
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        optim="adamw_torch",  # sentence-transformers' default optimizer (Table 11: "AdamW (default)")
        lr_scheduler_type="linear",
        warmup_steps=settings.warmup_ratio,  # a float below 1 is a ratio of the training steps (transformers 5)
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        seed=settings.seed,
        data_seed=settings.seed,
        use_cpu=use_cpu,
        fp16=not use_cpu,  # Table 11: fp16 on CUDA, full precision otherwise
        report_to="none",
        logging_strategy="epoch",
        disable_tqdm=False,
    )
