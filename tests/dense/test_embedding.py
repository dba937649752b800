"""Embedding through the shared cache: hits without a model call, invalidation, storage dtype, shards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from crossrank.core import contract
from crossrank.core.errors import InputError
from crossrank.dense import steps
from crossrank.dense.embedding import Embedder
from crossrank.dense.encoders import EmbeddingSettings, EncoderSpec

TEXTS = ["Germany and France", "ドイツ", "Euro euro Евро", "Japan Japon"]


class LoadCounter:
    """Wraps load_encoder: counts model loads and the texts each loaded model encodes."""

    def __init__(self, monkeypatch, fail: bool = False):
        import crossrank.dense.embedding as embedding

        self.loads, self.encoded, self.precisions = 0, [], []
        real = embedding.load_encoder

        def load(spec, device=None, precision="float32"):
            if fail:
                raise AssertionError("the model was loaded although everything is cached")
            self.loads += 1
            self.precisions.append(precision)
            model = real(spec, device, precision)
            original = model.encode

            def encode(texts, **kwargs):
                self.encoded.extend(texts)
                return original(texts, **kwargs)

            model.encode = encode
            return model

        monkeypatch.setattr(embedding, "load_encoder", load)


def _spec(model: Path, **overrides) -> EncoderSpec:
    values = {"model": str(model), "max_length": 32, "batch_size": 2, **overrides}
    return EncoderSpec.from_params("tiny", values)


def test_second_run_is_a_cache_hit_without_loading_the_model(tiny_bert, tmp_path, monkeypatch):
    settings = EmbeddingSettings(device="cpu")
    counter = LoadCounter(monkeypatch)
    first = Embedder(_spec(tiny_bert), settings, tmp_path).embed(TEXTS + TEXTS[:1])
    assert counter.loads == 1 and sorted(counter.encoded) == sorted(TEXTS)  # a repeated text is encoded once
    LoadCounter(monkeypatch, fail=True)
    again = Embedder(_spec(tiny_bert), settings, tmp_path).embed(list(reversed(TEXTS)))
    np.testing.assert_array_equal(again, first[:4][::-1])


@pytest.mark.parametrize("change", [{"revision": "0123abcd"}, {"pooling": "cls"}, {"max_length": 8}])
def test_a_revision_pooling_or_length_change_misses_the_cache(change, tiny_bert, tmp_path, monkeypatch):
    settings = EmbeddingSettings(device="cpu")
    original = Embedder(_spec(tiny_bert), settings, tmp_path)
    original.embed(TEXTS)
    changed = Embedder(_spec(tiny_bert, **change), settings, tmp_path)
    assert changed.cache.directory != original.cache.directory
    counter = LoadCounter(monkeypatch)
    changed.embed(TEXTS)
    assert counter.loads == 1 and sorted(counter.encoded) == sorted(TEXTS)


def test_a_prefix_is_part_of_the_key(tiny_bert, tmp_path, monkeypatch):
    spec = _spec(tiny_bert, query_prefix="query: ", document_prefix="passage: ")
    embedder = Embedder(spec, EmbeddingSettings(device="cpu"), tmp_path)
    embedder.embed([spec.model_input(t, "document") for t in TEXTS])
    counter = LoadCounter(monkeypatch)
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


def test_reduced_precision_is_passed_to_the_model_and_keyed_separately(tiny_bert, tmp_path, monkeypatch):
    counter = LoadCounter(monkeypatch)
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


def _write_inputs(directory: Path) -> tuple[list[str], list[str]]:
    documents = [contract.Document(f"d{i}", "en", text) for i, text in enumerate(TEXTS * 2 + ["France", "Spain España"])]
    contract.write_documents(directory / "a.tsv", documents[:6])
    contract.write_documents(directory / "b.tsv", documents[4:])  # overlaps a.tsv: shared texts
    topics = [contract.Topic(f"q{i}", "en", "de", text) for i, text in enumerate(["Germany", "ドイツ"])]
    contract.write_topics(directory / "topics.tsv", topics)
    return [str(directory / "a.tsv"), str(directory / "b.tsv")], [str(directory / "topics.tsv")]


def test_shards_split_the_texts_and_the_gathering_job_loads_no_model(tiny_bert, tmp_path, monkeypatch):
    import json

    documents, topics = _write_inputs(tmp_path)
    encoder = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2, "query_prefix": "q: "}
    sharded = {"device": "cpu", "shards": 2}
    counter = LoadCounter(monkeypatch)
    for shard in (0, 1):
        steps.embed_shard("tiny", encoder, sharded, str(tmp_path / "cache"), documents, topics, shard, str(tmp_path / f"{shard}.json"))
    records = [json.loads((tmp_path / f"{shard}.json").read_text()) for shard in (0, 1)]
    distinct = {d.text for path in documents for d in contract.read_documents(path)} | {"q: Germany", "q: ドイツ"}
    assert sorted(counter.encoded) == sorted(distinct)  # every distinct input once, over both shards
    assert sum(r["encoded"] for r in records) == len(distinct) and all(r["encoded"] > 0 for r in records)

    LoadCounter(monkeypatch, fail=True)
    outputs = [(path, str(tmp_path / f"out{i}.npy")) for i, path in enumerate(documents)]
    queries = [(topics[0], str(tmp_path / "queries.npy"))]
    shard_records = [str(tmp_path / f"{shard}.json") for shard in (0, 1)]
    steps.embed("tiny", encoder, sharded, str(tmp_path / "cache"), outputs, queries, shard_records, str(tmp_path / "record.json"))
    record = json.loads((tmp_path / "record.json").read_text())
    assert (record["precision"], record["devices"], record["shards"]) == ("float32", ["cpu"], 2)
    assert record["encoded"] == len(distinct) and record["fingerprint"]["pooling"] == "mean"

    monkeypatch.undo()
    alone = [(path, str(tmp_path / f"alone{i}.npy")) for i, path in enumerate(documents)]
    single = [(topics[0], str(tmp_path / "q1.npy"))]
    steps.embed("tiny", encoder, {"device": "cpu"}, str(tmp_path / "single"), alone, single, [], str(tmp_path / "alone.json"))
    for (_, sharded_out), (_, alone_out) in zip(outputs, alone, strict=True):
        np.testing.assert_allclose(np.load(sharded_out), np.load(alone_out), atol=1e-6)  # shards change nothing
    np.testing.assert_allclose(np.load(tmp_path / "queries.npy"), np.load(tmp_path / "q1.npy"), atol=1e-6)
    assert np.load(outputs[0][1]).shape == (6, 32)
    np.testing.assert_array_equal(np.load(outputs[1][1])[0], np.load(outputs[0][1])[4])  # a shared text: one vector


def test_a_shard_outside_the_configured_count_is_refused(tiny_bert, tmp_path):
    documents, topics = _write_inputs(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        steps.embed_shard("tiny", {"model": str(tiny_bert)}, {"shards": 2}, str(tmp_path), documents, topics, 2, str(tmp_path / "x"))


def test_the_gathering_job_reads_the_cache_of_the_shards_precision(tiny_bert, tmp_path, monkeypatch):
    """Shards on GPU nodes resolve bfloat16; the gathering job, on a CPU, must read their cache, not re-encode in float32."""
    import json

    documents, topics = _write_inputs(tmp_path)
    encoder = {"model": str(tiny_bert), "max_length": 32, "batch_size": 2}
    steps.embed_shard(
        "tiny", encoder, {"device": "cpu", "precision": "bfloat16"}, str(tmp_path / "cache"), documents, topics, 0, str(tmp_path / "0.json")
    )
    LoadCounter(monkeypatch, fail=True)
    outputs = [(path, str(tmp_path / f"out{i}.npy")) for i, path in enumerate(documents)]
    auto = {"device": "cpu", "precision": "auto"}  # resolves to float32 here
    steps.embed("tiny", encoder, auto, str(tmp_path / "cache"), outputs, [], [str(tmp_path / "0.json")], str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["precision"] == "bfloat16"
    np.testing.assert_allclose(np.linalg.norm(np.load(outputs[0][1]), axis=1), 1.0, atol=1e-6)  # re-normalised in float32

    other = json.loads((tmp_path / "0.json").read_text()) | {"precision": "float32", "shard": 1}
    (tmp_path / "1.json").write_text(json.dumps(other))
    with pytest.raises(InputError, match="different precisions"):
        steps.embed(
            "tiny",
            encoder,
            auto,
            str(tmp_path / "cache"),
            outputs,
            [],
            [str(tmp_path / f"{i}.json") for i in (0, 1)],
            str(tmp_path / "r.json"),
        )
