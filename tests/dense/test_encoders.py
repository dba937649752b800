"""Tests of crossrank.dense.encoders: loading, pooling, truncation and fingerprints; every encoder of the registry, offline.

Each entry of the params.yaml registry is loaded through the pipeline's own path (Embedder ->
load_encoder) with its model swapped for a tiny locally built model of the same architecture
family (XLM-RoBERTa for XLM-R and multilingual-E5, BERT for LaBSE, ModernBERT for mmBERT,
repository code for Nomic); every other setting (prefixes, pooling, max length,
trust_remote_code) is the entry's own. The embedding must equal the pooling computed by hand
over ``prefix + text``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from crossrank.core.encoder_model import EncoderSpec, load_encoder
from crossrank.core.model_source import resolve_model
from crossrank.dense.embedding import Embedder
from crossrank.dense.encoders import EmbeddingSettings, encoder_fingerprint

PROJECT = Path(__file__).resolve().parents[2]
REGISTRY: dict[str, dict[str, Any]] = yaml.safe_load((PROJECT / "params.yaml").read_text())["encoders"]
PAPER_ENCODERS = {"xlmr", "labse", "me5", "nomic", "mmbert"}
TEXTS = ["Germany and France", "ドイツ", "Euro euro Евро"]


def _spec(path, **overrides) -> EncoderSpec:
    values = {"name": "tiny", "model": str(path), "max_length": 64, "batch_size": 4}
    values.update(overrides)
    return EncoderSpec(**values)


def test_loaded_encoder_mean_pools_and_normalises(tiny_bert):
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = ["Germany and France", "ドイツ"]
    vectors = load_encoder(_spec(tiny_bert)).encode(texts, convert_to_numpy=True)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    model = AutoModel.from_pretrained(tiny_bert).eval()
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (hidden * mask).sum(1) / mask.sum(1)
    expected = torch.nn.functional.normalize(mean, dim=1).numpy()
    np.testing.assert_allclose(vectors, expected, atol=1e-5)


def test_cls_pooling_differs_from_mean(tiny_bert):
    texts = ["Germany and France"]
    mean = load_encoder(_spec(tiny_bert)).encode(texts)
    cls = load_encoder(_spec(tiny_bert, pooling="cls")).encode(texts)
    assert not np.allclose(mean, cls)


def test_max_length_truncates(tiny_bert):
    encoder = load_encoder(_spec(tiny_bert, max_length=8))
    assert encoder.max_seq_length == 8
    shared = "germany " * 10
    first, second = encoder.encode([shared + "france", shared + "japan"])
    np.testing.assert_allclose(first, second, atol=1e-6)  # the differing last word is cut off
    full = load_encoder(_spec(tiny_bert, max_length=64)).encode([shared + "france", shared + "japan"])
    assert not np.allclose(full[0], full[1])


def test_fingerprint_tracks_model_content_revision_and_pooling(tiny_bert, tmp_path):
    base = encoder_fingerprint(_spec(tiny_bert))
    assert encoder_fingerprint(_spec(tiny_bert)) == base
    assert encoder_fingerprint(_spec(tiny_bert, pooling="cls")) != base
    assert encoder_fingerprint(_spec(tiny_bert, revision="abc123")) != base
    assert encoder_fingerprint(_spec(tiny_bert, max_length=32)) != base
    # Prefixes and batch size do not change the model: they are not part of the fingerprint.
    assert encoder_fingerprint(_spec(tiny_bert, query_prefix="query: ", batch_size=99)) == base
    from tiny_models import build_tiny_bert

    retrained = build_tiny_bert(tmp_path / "retrained", seed=1)
    assert encoder_fingerprint(_spec(retrained)) != base


def test_unknown_pooling_is_rejected(tiny_bert):
    with pytest.raises(ValueError, match="pooling"):
        _spec(tiny_bert, pooling="weighted")


def _family(entry: dict[str, Any]) -> str:
    """The tiny model standing in for an entry's checkpoint (BERT unless the id says otherwise)."""
    model = entry["model"].lower()
    if entry.get("trust_remote_code"):
        return "tiny_remote_code"
    if "xlm-roberta" in model or "multilingual-e5" in model:
        return "tiny_xlmr"
    if "mmbert" in model or "modernbert" in model:
        return "tiny_modernbert"
    return "tiny_bert"


def _by_hand(model_path: str, spec: EncoderSpec, texts: list[str]) -> np.ndarray:
    """Pooling over the last hidden layer then L2 normalisation, computed with transformers directly."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path, trust_remote_code=spec.trust_remote_code)
    model = AutoModel.from_pretrained(model_path, trust_remote_code=spec.trust_remote_code).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=spec.max_length, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    if spec.pooling == "mean":
        pooled = (hidden * mask).sum(1) / mask.sum(1)
    elif spec.pooling == "cls":
        pooled = hidden[:, 0]
    else:
        pooled = hidden.masked_fill(mask == 0, -1e9).max(1).values
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


def test_the_registry_ships_the_papers_five_encoders_and_the_offline_demo():
    assert set(REGISTRY) >= PAPER_ENCODERS | {"minilm"}
    assert REGISTRY["minilm"]["enabled"] and REGISTRY["minilm"]["model"].startswith("package:")
    assert (REGISTRY["me5"]["query_prefix"], REGISTRY["me5"]["document_prefix"]) == ("query: ", "passage: ")
    assert (REGISTRY["nomic"]["query_prefix"], REGISTRY["nomic"]["document_prefix"]) == ("search_query: ", "search_document: ")
    assert REGISTRY["nomic"]["trust_remote_code"] is True
    # XLM-R base (768 dimensions, D.1 and Table 11), with the large model of section 3.2 beside it.
    assert (REGISTRY["xlmr"]["model"], REGISTRY["xlmr-large"]["model"]) == ("FacebookAI/xlm-roberta-base", "FacebookAI/xlm-roberta-large")
    # multilingual-E5 instruct: an instruction on queries, nothing on documents (its model card).
    instruct = REGISTRY["me5-instruct"]
    assert instruct["model"] == "intfloat/multilingual-e5-large-instruct"
    assert instruct["query_prefix"].startswith("Instruct: ") and instruct["query_prefix"].endswith("\nQuery: ")
    assert instruct["document_prefix"] == ""
    for name in PAPER_ENCODERS | {"xlmr-large", "me5-instruct"}:
        assert REGISTRY[name]["pooling"] == "mean" and REGISTRY[name]["max_length"] == 512, name  # the paper's D.1


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registry_entry_loads_and_embeds_with_its_prefixes_and_pooling(name, request, tmp_path):
    entry = dict(REGISTRY[name])
    if not entry["model"].startswith("package:"):  # hub checkpoints: a tiny model of the same family
        entry["model"] = str(request.getfixturevalue(_family(entry)))
    entry["batch_size"] = 2
    spec = EncoderSpec.from_params(name, entry)
    embedder = Embedder(spec, EmbeddingSettings(device="cpu"), tmp_path)

    queries = embedder.embed([spec.model_input(t, "query") for t in TEXTS])
    documents = embedder.embed([spec.model_input(t, "document") for t in TEXTS])
    path, _ = resolve_model(spec.model)
    np.testing.assert_allclose(queries, _by_hand(path, spec, [spec.query_prefix + t for t in TEXTS]), atol=2e-5)
    np.testing.assert_allclose(documents, _by_hand(path, spec, [spec.document_prefix + t for t in TEXTS]), atol=2e-5)
    if spec.query_prefix != spec.document_prefix:
        assert not np.allclose(queries, documents, atol=1e-4)  # the prefixes reach the model
    else:
        np.testing.assert_array_equal(queries, documents)


def test_repository_code_needs_trust_remote_code(tiny_remote_code, tmp_path):
    entry = {**REGISTRY["nomic"], "model": str(tiny_remote_code), "trust_remote_code": False}
    embedder = Embedder(EncoderSpec.from_params("nomic", entry), EmbeddingSettings(device="cpu"), tmp_path)
    with pytest.raises(ValueError, match="custom code"):
        embedder.embed(["search_query: Germany"])
