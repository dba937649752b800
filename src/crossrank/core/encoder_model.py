"""A sentence encoder as the project assembles every one: transformer -> pooling -> L2 normalisation.

Shared by the stages that load an encoder's weights: dense retrieval embeds with it, and
fine-tuning trains it. Every encoder is assembled explicitly (the paper uses mean pooling over
the last hidden layer for all five encoders, whatever pooling a model's own
sentence-transformers config would choose). ``model`` is a Hugging Face id (loaded at the
pinned ``revision``), a local directory (a fine-tuned checkpoint included), or
``package:<module>`` for a Python package that ships weights and exposes ``get_model_path()``
(the offline demo encoder). Query and document prefixes (multilingual-E5's ``query: ``/
``passage: ``, Nomic's ``search_query: ``/``search_document: ``) are part of the model input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crossrank.core.model_source import resolve_model

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
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.pooling not in POOLING_MODES:
            raise ValueError(f"encoder {self.name!r}: pooling {self.pooling!r} is not one of {POOLING_MODES}")

    @classmethod
    def from_params(cls, name: str, params: Mapping[str, Any]) -> EncoderSpec:
        """Build from the ``params.yaml`` entry ``encoders.<name>``."""
        return cls(name=name, **params)

    def model_input(self, text: str, kind: str) -> str:
        """The exact text the model reads for a ``query`` or a ``document``: prefix + text."""
        if kind not in ("query", "document"):
            raise ValueError(f"kind must be 'query' or 'document', not {kind!r}")
        return (self.query_prefix if kind == "query" else self.document_prefix) + text


def load_encoder(spec: EncoderSpec, device: str | None = None, precision: str = "float32") -> Any:
    """Load a SentenceTransformer: transformer, ``spec.pooling`` pooling, L2 normalisation.

    ``precision`` other than float32 loads the weights in that dtype (fp16/bf16 on a GPU).
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    path, _ = resolve_model(spec.model)
    hub_kwargs: dict[str, Any] = {"trust_remote_code": spec.trust_remote_code}
    if spec.revision:
        hub_kwargs["revision"] = spec.revision
    model_kwargs = dict(hub_kwargs)
    if precision != "float32":
        model_kwargs["dtype"] = precision
    transformer = Transformer(
        path,
        max_seq_length=spec.max_length,
        model_kwargs=model_kwargs,
        processor_kwargs=dict(hub_kwargs),
        config_kwargs=dict(hub_kwargs),
    )
    pooling = Pooling(transformer.get_embedding_dimension(), spec.pooling)
    return SentenceTransformer(modules=[transformer, pooling, Normalize()], device=device)
