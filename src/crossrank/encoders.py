"""Dense text encoders: how a registry entry of ``params.yaml`` becomes a loaded model.

Every encoder is assembled explicitly as transformer -> pooling -> L2 normalisation (the paper
uses mean pooling over the last hidden layer for all five encoders, whatever pooling a model's
own sentence-transformers config would choose). ``model`` is a Hugging Face id (loaded at the
pinned ``revision``), a local directory, or ``package:<module>`` for a Python package that
ships weights and exposes ``get_model_path()`` (the offline demo encoder).
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from typing import Any

from crossrank.model_source import resolve_model

POOLING_MODES = ("mean", "cls", "max")


@dataclass(frozen=True)
class EncoderSpec:
    """One entry of the encoder registry (``encoders.<name>`` in ``params.yaml``)."""

    name: str
    model: str
    revision: str | None = None
    pooling: str = "mean"
    max_length: int = 512
    query_prefix: str = ""
    document_prefix: str = ""
    batch_size: int = 32
    trust_remote_code: bool = False

    def __post_init__(self) -> None:
        if self.pooling not in POOLING_MODES:
            raise ValueError(f"encoder {self.name!r}: pooling {self.pooling!r} is not one of {POOLING_MODES}")

    @classmethod
    def from_params(cls, name: str, params: dict[str, Any]) -> EncoderSpec:
        """Build from the ``params.yaml`` entry ``encoders.<name>``."""
        return cls(name=name, **params)


def encoder_fingerprint(spec: EncoderSpec) -> dict[str, Any]:
    """Everything that determines an embedding besides the input text (and its prefix)."""
    _, identity = resolve_model(spec.model)
    return {
        "model": identity,
        "revision": spec.revision,
        "pooling": spec.pooling,
        "max_length": spec.max_length,
        "normalize": True,
        "sentence_transformers": importlib.metadata.version("sentence-transformers"),
    }


def load_encoder(spec: EncoderSpec, device: str | None = None) -> Any:
    """Load a SentenceTransformer: transformer, ``spec.pooling`` pooling, L2 normalisation."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    path, _ = resolve_model(spec.model)
    hub_kwargs: dict[str, Any] = {"trust_remote_code": spec.trust_remote_code}
    if spec.revision:
        hub_kwargs["revision"] = spec.revision
    transformer = Transformer(
        path,
        max_seq_length=spec.max_length,
        model_kwargs=dict(hub_kwargs),
        processor_kwargs=dict(hub_kwargs),
        config_kwargs=dict(hub_kwargs),
    )
    pooling = Pooling(transformer.get_embedding_dimension(), spec.pooling)
    return SentenceTransformer(modules=[transformer, pooling, Normalize()], device=device)
