"""Embedding texts with one registry encoder through the shared cache, in one job or in shards.

A shard job encodes the distinct model inputs whose cache key falls in its shard (so shards on
several GPUs or SLURM nodes never encode the same text twice) and only fills the cache; the
gathering job then reads every text from the cache and writes the per-dataset matrices. A fully
cached text is never encoded again, whichever dataset, condition or shard asks for it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from crossrank.core.cache_store import key_shard, text_key
from crossrank.core.devices import resolve_device, resolve_precision
from crossrank.core.encoder_model import EncoderSpec, load_encoder
from crossrank.dense.embedding_cache import EmbeddingCache, encode_missing
from crossrank.dense.encoders import EmbeddingSettings, encoder_fingerprint

log = logging.getLogger("crossrank")


class Embedder:
    """One encoder on one device, reading and filling the cache of its fingerprint."""

    def __init__(
        self,
        spec: EncoderSpec,
        settings: EmbeddingSettings,
        cache_root: str | os.PathLike[str],
        shard: int = 0,
        precision: str | None = None,
    ):
        """``precision`` overrides ``settings.precision`` (the gathering job reads the shards' own)."""
        self.spec = spec
        self.settings = settings
        self.device = resolve_device(settings.device, shard)
        self.precision = precision or resolve_precision(settings.precision, self.device)
        self.fingerprint = encoder_fingerprint(spec, self.precision, settings.storage)
        self.cache = EmbeddingCache(cache_root, self.fingerprint)
        self.encoded = 0  # texts this embedder encoded (the cache lacked them, or held them damaged)

    def _encoder(self) -> Any:
        model = load_encoder(self.spec, self.device, self.precision)
        log.info("loaded %s (%s) on %s in %s", self.spec.name, self.spec.model, self.device, self.precision)

        def encode(batch: list[str]) -> np.ndarray:
            """Unit-length float32 embeddings (re-normalised: a half-precision model normalises in half precision)."""
            vectors = np.asarray(
                model.encode(batch, batch_size=self.spec.batch_size, convert_to_numpy=True, show_progress_bar=False), dtype=np.float32
            )
            return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), np.finfo(np.float32).tiny)

        return encode

    def fill(self, texts: Sequence[str], shard: int = 0, shards: int = 1) -> tuple[int, int]:
        """Encode the missing texts of ``shard`` (of ``shards``); return (texts in shard, newly encoded)."""
        distinct = sorted(set(texts))
        mine = [text for text in distinct if key_shard(text_key(text), shards) == shard]
        encoded = encode_missing(mine, self.cache, self._encoder, self.settings.chunk_size)
        self.encoded += encoded
        return len(mine), encoded

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts`` in order (encoding whatever the cache lacks)."""
        if not texts:
            raise ValueError(f"encoder {self.spec.name!r}: nothing to embed")
        self.encoded += encode_missing(texts, self.cache, self._encoder, self.settings.chunk_size)
        return self.cache.gather([text_key(text) for text in texts])
