"""How dense retrieval embeds: the ``embedding`` settings and an encoder's cache fingerprint.

The encoder itself (a registry entry -> transformer, pooling, L2 normalisation) is
:mod:`crossrank.core.encoder_model`, shared with fine-tuning. Query and document prefixes are
part of the model input, so they are part of every cache key.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from crossrank.core.encoder_model import EncoderSpec
from crossrank.core.model_source import resolve_model

STORAGE_DTYPES = ("float32", "float16")
PRECISIONS = ("auto", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class EmbeddingSettings:
    """How every encoder embeds (``embedding`` in ``params.yaml``): device, precision, storage, shards."""

    device: str = "auto"
    precision: str = "auto"  # forward-pass dtype: auto = bfloat16/float16 on CUDA, float32 on CPU
    storage: str = "float32"  # dtype of cached and written embeddings
    chunk_size: int = 1024  # texts per cache write: the most an interruption loses
    shards: int = 1
    gpus_per_shard: int = 0

    def __post_init__(self) -> None:
        if self.storage not in STORAGE_DTYPES:
            raise ValueError(f"embedding.storage {self.storage!r} is not one of {STORAGE_DTYPES}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"embedding.precision {self.precision!r} is not one of {PRECISIONS}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any] | None) -> EmbeddingSettings:
        """Build from the ``embedding`` block of ``params.yaml`` (missing keys take the defaults)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (params or {}).items() if k in names})


def encoder_fingerprint(spec: EncoderSpec, precision: str = "float32", storage: str = "float32") -> dict[str, Any]:
    """Everything that determines a stored embedding besides the model input (prefix + text).

    ``precision`` is the resolved forward-pass dtype (a bfloat16 embedding differs from a
    float32 one) and ``storage`` the dtype it is kept in.
    """
    _, identity = resolve_model(spec.model)
    return {
        "model": identity,
        "revision": spec.revision,
        "pooling": spec.pooling,
        "max_length": spec.max_length,
        "normalize": True,
        "precision": precision,
        "storage": storage,
        "sentence_transformers": importlib.metadata.version("sentence-transformers"),
    }
