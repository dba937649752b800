"""Dense text encoders: how a registry entry of ``params.yaml`` becomes a loaded model.

Every encoder is assembled explicitly as transformer -> pooling -> L2 normalisation (the paper
uses mean pooling over the last hidden layer for all five encoders, whatever pooling a model's
own sentence-transformers config would choose). ``model`` is a Hugging Face id (loaded at the
pinned ``revision``), a local directory, or ``package:<module>`` for a Python package that
ships weights and exposes ``get_model_path()`` (the offline demo encoder).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POOLING_MODES = ("mean", "cls", "max")
PACKAGE_PREFIX = "package:"


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


def resolve_model(model: str) -> tuple[str, str]:
    """Return ``(path_or_hub_id, identity)`` for a model reference.

    ``identity`` names the weights' content for cache keys: a local directory or a packaged
    model is identified by a hash of its files, a hub model by its id (plus the revision the
    caller records), so retraining a local model invalidates its cached embeddings.
    """
    if model.startswith(PACKAGE_PREFIX):
        module_name = model[len(PACKAGE_PREFIX) :]
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise ValueError(f"model {model!r}: the Python package {module_name!r} is not installed ({error}).") from None
        path = Path(module.get_model_path())
        return str(path), f"{model}@{_directory_digest(path)}"
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path), f"local@{_directory_digest(path)}"
    return model, model


def _directory_digest(path: Path) -> str:
    """Content hash of every file in a model directory (names and bytes)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


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
