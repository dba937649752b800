"""Tests of crossrank.dense.embedding: embedding through the shared cache, hits without a model call, invalidation, storage dtype."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crossrank.core.encoder_model import EncoderSpec
from crossrank.dense.embedding import Embedder
from crossrank.dense.encoders import EmbeddingSettings

TEXTS = ["Germany and France", "ドイツ", "Euro euro Евро", "Japan Japon"]


def _spec(model: Path, **overrides) -> EncoderSpec:
    values = {"model": str(model), "max_length": 32, "batch_size": 2, **overrides}
    return EncoderSpec.from_params("tiny", values)


def test_second_run_is_a_cache_hit_without_loading_the_model(tiny_bert, tmp_path, count_loads):
    settings = EmbeddingSettings(device="cpu")
    counter = count_loads()
    first = Embedder(_spec(tiny_bert), settings, tmp_path).embed(TEXTS + TEXTS[:1])
    assert counter.loads == 1 and sorted(counter.encoded) == sorted(TEXTS)  # a repeated text is encoded once
    count_loads(fail=True)
    again = Embedder(_spec(tiny_bert), settings, tmp_path).embed(list(reversed(TEXTS)))
    np.testing.assert_array_equal(again, first[:4][::-1])


@pytest.mark.parametrize("change", [{"revision": "0123abcd"}, {"pooling": "cls"}, {"max_length": 8}])
def test_a_revision_pooling_or_length_change_misses_the_cache(change, tiny_bert, tmp_path, count_loads):
    settings = EmbeddingSettings(device="cpu")
    original = Embedder(_spec(tiny_bert), settings, tmp_path)
    original.embed(TEXTS)
    changed = Embedder(_spec(tiny_bert, **change), settings, tmp_path)
    assert changed.cache.directory != original.cache.directory
    counter = count_loads()
    changed.embed(TEXTS)
    assert counter.loads == 1 and sorted(counter.encoded) == sorted(TEXTS)


def test_a_prefix_is_part_of_the_key(tiny_bert, tmp_path, count_loads):
    spec = _spec(tiny_bert, query_prefix="query: ", document_prefix="passage: ")
    embedder = Embedder(spec, EmbeddingSettings(device="cpu"), tmp_path)
    embedder.embed([spec.model_input(t, "document") for t in TEXTS])
    counter = count_loads()
    embedder.embed([spec.model_input(t, "query") for t in TEXTS])
    assert sorted(counter.encoded) == sorted("query: " + t for t in TEXTS)


def test_float16_storage_halves_the_cache_and_stays_close(tiny_bert, tmp_path):
    full = Embedder(_spec(tiny_bert), EmbeddingSettings(device="cpu"), tmp_path).embed(TEXTS)
    half_embedder = Embedder(_spec(tiny_bert), EmbeddingSettings(device="cpu", storage="float16"), tmp_path)
    half = half_embedder.embed(TEXTS)
    assert full.dtype == np.float32 and half.dtype == np.float16
    np.testing.assert_allclose(half.astype(np.float32), full, atol=2e-3)
    chunk = next(half_embedder.cache.directory.glob("*.vectors.npy"))
    assert np.load(chunk, mmap_mode="r").dtype == np.float16


def test_reduced_precision_is_passed_to_the_model_and_keyed_separately(tiny_bert, tmp_path, count_loads):
    counter = count_loads()
    full = Embedder(_spec(tiny_bert), EmbeddingSettings(device="cpu"), tmp_path)
    brain = Embedder(_spec(tiny_bert), EmbeddingSettings(device="cpu", precision="bfloat16"), tmp_path)
    assert brain.cache.directory != full.cache.directory
    np.testing.assert_allclose(brain.embed(TEXTS), full.embed(TEXTS), atol=5e-2)
    assert counter.precisions == ["bfloat16", "float32"]


def test_auto_precision_is_float32_on_cpu_and_half_on_cuda(tiny_bert, tmp_path, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert Embedder(_spec(tiny_bert), EmbeddingSettings(), tmp_path).precision == "float32"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    shard1 = Embedder(_spec(tiny_bert), EmbeddingSettings(), tmp_path, shard=1)
    assert (shard1.device, shard1.precision) == ("cuda:1", "bfloat16")
